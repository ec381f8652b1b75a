/* cli — what every command shares: exit codes, stop signals, the output
 * filter, the CPU the lab runs on, the student's progress file.
 *
 * Every command (cmd_*.c) returns an exit code; main maps nothing else. */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <signal.h>
#include <stdbool.h>

#include "progress.h"

enum exit_code { EXIT_OK = 0, EXIT_EXPECTATION = 1, EXIT_USAGE = 2 };

/* The signal (SIGINT, SIGTERM, SIGHUP) that asked the run to stop, 0 none. */
extern volatile sig_atomic_t cli_stop_signal;

/* Ctrl-C, kill and a dropped ssh session all end the run the same way:
 * between steps, through the one cleanup path. */
void cli_catch_stop_signals(void);

/* `code`, or the death by the signal that stopped the run. */
int cli_exit_for_signal(int code);

struct trace_writer;
/* Closes a run's trace (NULL: none): a last write that failed is said on
 * stderr and makes the exit EXIT_USAGE; otherwise the exit stays `code`. */
int cli_close_trace(struct trace_writer *trace, int code);

/* The lab's processes share the CPU the controller started on. */
void cli_pin_to_current_cpu(void);

/* stdout and stderr through the terminal filter (text.h), from main's start. */
void cli_filter_output(void);
/* Before curses takes the terminal: its stdout is the real one. */
void cli_output_for_curses(void);
/* The run's code, or 2 (1 stays 1) with one line when a write failed. */
int cli_finish_output(int code);

/* The student's progress, or NULL (said once on stderr): the lab works without it. */
struct progress *cli_load_progress(void);
void cli_save_progress(struct progress *progress);

/* Whether two paths name one file (the same regular file, or one not made
 * yet in the same directory under the same name). */
bool cli_same_file(const char *a, const char *b);

/* A lesson from elsewhere that starts programs, run without a question
 * (--plain, export): one line naming them and the flag. Returns 2. */
struct lesson;
int cli_refuse_programs(const struct lesson *lesson);

/* sandbox_enter, then the one line (on stderr) that says why the private
 * path was refused and what cures it, when it was. */
struct sandbox;
int cli_enter_sandbox(struct sandbox *sandbox, bool force_host, char **err);

/* The commands: argv[0] is the command's name. */
int cmd_list(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_normalise(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_step(int argc, char **argv);
int cmd_progress(int argc, char **argv);
int cmd_menu(void);
int cmd_export(int argc, char **argv);
int cmd_lesson_pot(int argc, char **argv);

#endif
