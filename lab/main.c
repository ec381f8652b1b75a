/* main — the command line: picks a command, runs it, maps its result to
 * an exit status. Each command lives in a cmd_*.c of its own. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "help.h"
#include "language.h"
#include "lessons.h"
#include "i18n.h"

static void usage(FILE *out)
{
	fprintf(out, "socklab — %s\n", _("step through the BSD socket API on the real kernel"));
	fprintf(out,
		_("\n"
		  "usage:\n"
		  "  socklab                          the lesson menu (curses)\n"
		  "  socklab list                     the lessons, one a line\n"
		  "  socklab run [--plain] [--terse] [--pace SECONDS] [--pause STEP:SECONDS] "
		  "[--quiz] [--hold]\n"
		  "              [--trace FILE] [--pcap FILE] [--no-wire] [--host] [--big] "
		  "[--allow-programs] LESSON\n"
		  "                                   step through LESSON (a number or a name from "
		  "socklab list,\n"
		  "                                   or a path with a slash: ./mine.lesson);\n"
		  "                                   --plain prints a transcript instead of the "
		  "TUI (each step's\n"
		  "                                   result, sockets, Python line and "
		  "explanation),\n"
		  "                                   --terse the transcript without the lesson's "
		  "text (for diffs),\n"
		  "                                   --pace SECONDS waits between its steps, "
		  "--pause STEP:SECONDS\n"
		  "                                   before one (STEP a number or last): the "
		  "kernel's timers run,\n"
		  "                                   --trace records every event as JSON Lines,\n"
		  "                                   --pcap writes the packets on lo as a "
		  "pcap file,\n"
		  "                                   --no-wire captures no packets,\n"
		  "                                   --quiz asks you to predict each step first "
		  "(with --plain: answers on stdin),\n"
		  "                                   --hold holds every TCP segment until you "
		  "release it (x; d drops it),\n"
		  "                                   --host skips the private network namespace,\n"
		  "                                   --big shows the projector screen,\n"
		  "                                   --allow-programs lets a lesson not shipped "
		  "with socklab start\n"
		  "                                   its programs (the TUI asks first; --plain "
		  "refuses without it)\n"
		  "  socklab play [--plain] [--host]  free play: type calls (server: s = "
		  "socket(AF_INET, SOCK_STREAM));\n"
		  "                                   'w FILE' writes what you played as a lesson, "
		  "'q' quits\n"
		  "  socklab step [--plain] [--host] [--big] --server 'CMD' --client 'CMD'\n"
		  "                                   run two unmodified programs and step their "
		  "socket calls:\n"
		  "                                   space runs the call shown, c shows the other "
		  "program's;\n"
		  "                                   --plain prints a transcript, server and "
		  "client in turn\n"
		  "  socklab check FILE...            validate lesson files\n"
		  "  socklab progress [--reset]       what you have done, one line a lesson (kept "
		  "in $XDG_STATE_HOME/socklab)\n"
		  "  socklab replay [--plain] FILE    print a recorded trace without the kernel\n"
		  "  socklab normalise FILE           print a trace in its golden "
		  "(normalised) form\n"
		  "  socklab export [--svg|--html] [-o FILE] [--trace FILE] [--host] "
		  "[--allow-programs] LESSON|TRACE\n"
		  "                                   the run as a sequence diagram: a lifeline "
		  "per side, each call\n"
		  "                                   and its result, blocked calls as bars, "
		  "packets as arrows,\n"
		  "                                   each socket's state where it changed; SVG "
		  "(default, or by\n"
		  "                                   -o's .svg) or an HTML handout (--html, or -o "
		  "x.html) with\n"
		  "                                   each step's text; from a LESSON it runs it "
		  "(as run --plain),\n"
		  "                                   from a TRACE (run --trace) it needs no "
		  "kernel; --trace\n"
		  "                                   also records the lesson's run\n"
		  "  socklab help TOPIC               a section of the manual as plain text, "
		  "without man (topics below)\n"
		  "  socklab lesson-pot FILE...       print the lessons' texts as PO templates "
		  "(for translators)\n"
		  "  socklab --help | --version\n"
		  "  --lang zh|en (with any command)  the language of the lessons' texts: "
		  "Simplified Chinese or\n"
		  "                                   English; without it, LANGUAGE, LC_ALL, "
		  "LC_MESSAGES, LANG decide\n"
		  "\n"
		  "exit status: 0 ok, 1 an expectation failed, 2 bad usage or bad input\n"
		  "lessons: %s\n"),
		lessons_dir());
	fprintf(out, "%s", _("\nhelp topics:\n"));
	help_print_topics(out);
}

static int cmd_help(const char *topic)
{
	char *err = NULL;
	if (help_print_topic(stdout, topic, &err) == 0)
		return EXIT_OK;
	fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
	free(err);
	return EXIT_USAGE;
}

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "list", cmd_list },
	{ "run", cmd_run },
	{ "check", cmd_check },
	{ "replay", cmd_replay },
	{ "play", cmd_play },
	{ "progress", cmd_progress },
	{ "step", cmd_step },
	{ "export", cmd_export },
	{ "normalise", cmd_normalise },
	{ "normalize", cmd_normalise },
	{ "lesson-pot", cmd_lesson_pot },
};

static int run_command(int argc, char **argv)
{
	/* --lang zh|en, anywhere before a `--`, for every command. */
	const char *lang_flag = NULL;
	char *lang_err = NULL;
	if (language_take_flag(&argc, argv, &lang_flag, &lang_err) < 0) {
		fprintf(stderr, "socklab: %s\n", lang_err ? lang_err : "out of memory");
		free(lang_err);
		return EXIT_USAGE;
	}
	i18n_use(language_choose(lang_flag, language_setup_locale(), stderr));
	if (argc < 2)
		return cmd_menu();
	if (strcmp(argv[1], "help") == 0 && argc > 2)
		return cmd_help(argv[2]);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
	    || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("socklab %s\n", SOCKLAB_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, _("socklab: unknown command '%s' (try socklab --help)\n"), argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* A closed stdin, stdout or stderr would hand its number to the next
	 * file the lab opens: /dev/null takes it. A closed stdout is then a
	 * transcript nobody can read. */
	bool closed_stdout = false;
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) != fd)
			return EXIT_USAGE;
		closed_stdout |= fd == STDOUT_FILENO;
	}
	cli_filter_output();
	if (closed_stdout) {
		fprintf(stderr, "socklab: cannot write the output: standard output is closed\n");
		return EXIT_USAGE;
	}
	return cli_finish_output(run_command(argc, argv));
}
