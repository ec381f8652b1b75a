/* cli — what every command shares: exit codes, stop signals, the output
 * filter, the CPU the lab runs on, the student's progress file. */
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <limits.h>
#include <sys/stat.h>

#include "consent.h"
#include "sandbox.h"
#include "text.h"
#include "trace.h"
#include "i18n.h"

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int signal_number)
{
	cli_stop_signal = signal_number;
}

/* Ctrl-C, kill and a dropped ssh session all end the run the same way:
 * between steps, through the one cleanup path. */
void cli_catch_stop_signals(void)
{
	struct sigaction action = { .sa_handler = on_stop_signal };
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGHUP, &action, NULL);
}

/* Dies by the signal that stopped us, as a well-behaved program does. */
int cli_exit_for_signal(int code)
{
	int signal_number = cli_stop_signal ? cli_stop_signal
		: code > 128 && code < 160  ? code - 128
					    : 0;
	if (!signal_number)
		return code;
	signal(signal_number, SIG_DFL);
	raise(signal_number);
	return 128 + signal_number;
}

/* One lab's processes share the CPU the controller started on: a request
 * and its reply then cost ~11 us instead of ~54 us of cross-CPU wake-ups,
 * and several labs on one machine still spread over the CPUs. */
void cli_pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* ---- output ---------------------------------------------------------- */

/* Everything the lab prints goes through the terminal filter (text.h): a
 * lesson's title, a trace's strings and a program's lines are someone
 * else's bytes. Curses draws on the real stdout with the same rule. */
static struct text_terminal stdout_filter, stderr_filter;
static FILE *real_stdout;   /* while stdout is the filter */

void cli_filter_output(void)
{
	FILE *err = text_terminal_open(&stderr_filter, STDERR_FILENO);
	if (err) {
		setvbuf(err, NULL, _IONBF, 0);   /* as unbuffered as stderr */
		stderr = err;
	}
	fflush(stdout);
	FILE *out = text_terminal_open(&stdout_filter, STDOUT_FILENO);
	if (out) {
		real_stdout = stdout;
		stdout = out;
	}
}

/* Before curses takes the terminal: its stdout is the real one. */
void cli_output_for_curses(void)
{
	if (!real_stdout)
		return;
	fflush(stdout);
	stdout = real_stdout;
	real_stdout = NULL;
}

/* A write that failed is the run's failure: one line, exit 2 (1 stays 1:
 * the lesson failed already). */
int cli_finish_output(int code)
{
	int error = 0;
	if (real_stdout) {
		FILE *out = stdout;
		stdout = real_stdout;
		real_stdout = NULL;
		if (fclose(out) != 0 && !stdout_filter.error)
			stdout_filter.error = errno ? errno : EIO;
		error = stdout_filter.error;
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		error = errno ? errno : EIO;
	}
	if (!error)
		return code;
	fprintf(stderr, _("socklab: cannot write the output: %s\n"), strerror(error));
	return code == EXIT_EXPECTATION ? code : EXIT_USAGE;
}

/* The student's progress, or NULL (said once on stderr) when it cannot be
 * read: the lab works without it. */
struct progress *cli_load_progress(void)
{
	struct progress *progress = NULL;
	char *warning = NULL, *err = NULL;
	if (progress_load(&progress, NULL, &warning, &err) < 0) {
		fprintf(stderr, _("socklab: progress not kept: %s\n"),
			err ? err : _("out of memory"));
		free(err);
		progress = NULL;
	}
	if (warning) {
		fprintf(stderr, "socklab: %s\n", warning);
		free(warning);
	}
	return progress;
}

void cli_save_progress(struct progress *progress)
{
	char *warning = NULL, *err = NULL;
	if (progress && progress_save(progress, &warning, &err) < 0)
		fprintf(stderr, _("socklab: progress not saved: %s\n"),
			err ? err : _("out of memory"));
	if (warning)
		fprintf(stderr, "socklab: %s\n", warning);
	free(warning);
	free(err);
}


/* Whether two paths name one file: the same regular file when both exist
 * (two outputs to /dev/null clash with nothing), else the same resolved
 * directory and name (a file not made yet). */
bool cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	char dir_a[PATH_MAX], dir_b[PATH_MAX], real_a[PATH_MAX], real_b[PATH_MAX];
	const char *slash_a = strrchr(a, '/'), *slash_b = strrchr(b, '/');
	snprintf(dir_a, sizeof dir_a, "%.*s", slash_a ? (int)(slash_a - a) + 1 : 1,
		 slash_a ? a : ".");
	snprintf(dir_b, sizeof dir_b, "%.*s", slash_b ? (int)(slash_b - b) + 1 : 1,
		 slash_b ? b : ".");
	return realpath(dir_a, real_a) && realpath(dir_b, real_b) && strcmp(real_a, real_b) == 0
	       && strcmp(slash_a ? slash_a + 1 : a, slash_b ? slash_b + 1 : b) == 0;
}

/* A lesson from elsewhere that starts programs, run without a question
 * (--plain, a pipe): one line naming them and the flag; exit 2. */
int cli_refuse_programs(const struct lesson *lesson)
{
	char *programs = consent_describe(lesson, "; ");
	if (!programs) {
		fprintf(stderr, _("socklab: out of memory\n"));
		return EXIT_USAGE;
	}
	fprintf(stderr,
		_("socklab: %s is not a lesson shipped with socklab and starts programs (%s): run "
		  "them with --allow-programs\n"),
		lesson->path, programs);
	free(programs);
	return EXIT_USAGE;
}


/* sandbox_enter, and the one line that says why the private path was
 * refused and what cures it, before any screen is drawn. */
int cli_enter_sandbox(struct sandbox *sandbox, bool force_host, char **err)
{
	if (sandbox_enter(sandbox, force_host, err) < 0)
		return -1;
	const char *notice = sandbox_notice(sandbox);
	if (notice)
		fprintf(stderr, "socklab: %s\n", notice);
	return 0;
}

int cli_close_trace(struct trace_writer *trace, int code)
{
	char *err = NULL;
	if (trace_writer_close(trace, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		return EXIT_USAGE;
	}
	return code;
}
