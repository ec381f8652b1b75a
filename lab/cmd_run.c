/* cmd_run — `socklab run`: one lesson, in the TUI or as a transcript. */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "consent.h"
#include "lessons.h"
#include "pace.h"
#include "plain_run.h"
#include "sandbox.h"
#include "session.h"
#include "trace.h"
#include "tui/tui.h"

struct run_options {
	bool plain;
	bool terse;             /* --terse: the transcript without the lesson's prose (for diffs) */
	bool force_host;
	bool big;
	bool no_wire;
	bool quiz;
	bool hold;              /* every TCP segment waits for the student */
	bool allow_programs;    /* a lesson not shipped with socklab may start its programs */
	const char *trace_path;
	const char *pcap_path;
	struct pace pace;       /* --pace, --pause: time between steps (--plain) */
};

static void usage_run(FILE *out)
{
	fprintf(out, "usage: socklab run [--plain [--pace SECONDS] [--pause STEP:SECONDS]] [--terse] [--quiz] [--hold] [--trace FILE] [--pcap FILE] [--no-wire] [--host] [--big] "
		     "[--allow-programs] LESSON\n");
}

/* What run's files must not be: the lesson itself (one file for two
 * outputs is refused before the lesson is looked for). Returns 0, or -1
 * with the message said. */
static int check_output_files(const struct run_options *run, const char *lesson_path)
{
	const char *const outputs[][2] = { { "--trace", run->trace_path }, { "--pcap", run->pcap_path } };
	for (size_t i = 0; i < 2; i++)
		if (outputs[i][1] && cli_same_file(outputs[i][1], lesson_path)) {
			fprintf(stderr, "socklab run: %s would overwrite the lesson '%s' itself: name another file\n",
				outputs[i][0], outputs[i][1]);
			return -1;
		}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "plain", no_argument, NULL, 'p' },
		{ "terse", no_argument, NULL, 'T' },
		{ "trace", required_argument, NULL, 't' },
		{ "host", no_argument, NULL, 'H' },
		{ "big", no_argument, NULL, 'b' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "no-wire", no_argument, NULL, 'W' },
		{ "quiz", no_argument, NULL, 'Q' },
		{ "hold", no_argument, NULL, 'D' },
		{ "allow-programs", no_argument, NULL, 'A' },
		{ "pace", required_argument, NULL, 'S' },
		{ "pause", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_options run = { 0 };
	int option;
	optind = 1;
	opterr = 0;   /* our own message, naming the command */
	/* "+": options end at the lesson; ":": a missing value is ':', not '?'. */
	while ((option = getopt_long(argc, argv, "+:", options, NULL)) != -1) {
		switch (option) {
		case 'p': run.plain = true; break;
		case 'T': run.plain = run.terse = true; break;
		case 't': run.trace_path = optarg; break;
		case 'H': run.force_host = true; break;
		case 'b': run.big = true; break;
		case 'P': run.pcap_path = optarg; break;
		case 'W': run.no_wire = true; break;
		case 'Q': run.quiz = true; break;
		case 'D': run.hold = true; break;
		case 'A': run.allow_programs = true; break;
		case 'S':
		case 'U': {
			char why[160];
			if ((option == 'S' ? pace_parse_every : pace_parse_pause)(&run.pace, optarg, why, sizeof why) < 0) {
				fprintf(stderr, "socklab run: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		}
		case 'h': usage_run(stdout); return EXIT_OK;
		case ':':
			fprintf(stderr, "socklab run: %s needs a value\n", argv[optind - 1]);
			usage_run(stderr);
			return EXIT_USAGE;
		default:
			/* A short option has its letter in optopt; a long one only its word. */
			if (optopt > ' ' && optopt < 127)
				fprintf(stderr, "socklab run: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "socklab run: unknown option '%s'\n", argv[optind - 1]);
			usage_run(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		if (optind < argc - 1)
			fprintf(stderr, "socklab run: one lesson at a time, got %d\n", argc - optind);
		else
			fprintf(stderr, "socklab run: which lesson? (see socklab list)\n");
		usage_run(stderr);
		return EXIT_USAGE;
	}
	if (run.trace_path && run.pcap_path && cli_same_file(run.trace_path, run.pcap_path)) {
		fprintf(stderr, "socklab run: --trace and --pcap name the same file '%s': give each its own\n", run.pcap_path);
		return EXIT_USAGE;
	}
	if (run.no_wire && run.pcap_path) {
		fprintf(stderr, "socklab run: --pcap writes the packets --no-wire leaves uncaptured: use one of them\n");
		return EXIT_USAGE;
	}
	if (!run.plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		/* `socklab run 01 | less`, a script, CI: the transcript serves them. */
		fprintf(stderr, "socklab: not a terminal, so printing the transcript (as with --plain)\n");
		run.plain = true;
	}
	if (!run.plain && (run.pace.every_s > 0 || run.pace.pause_count)) {
		fprintf(stderr, "socklab run: --pace and --pause pace the --plain transcript (the TUI has autoplay, key a)\n");
		return EXIT_USAGE;
	}
	struct lesson *lesson = lessons_load(argv[optind], run.allow_programs);
	if (!lesson)
		return EXIT_USAGE;
	if (check_output_files(&run, lesson->path) < 0) {
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	/* The TUI asks; a transcript has no one to ask. */
	if (run.plain && consent_has_programs(lesson) && !lesson->programs_allowed) {
		int code = cli_refuse_programs(lesson);
		lesson_free(lesson);
		return code;
	}
	if (run.hold && !lesson->hold_segments)
		lesson->hold_segments = lesson->hold_forced = true;
	char *err = NULL;
	struct trace_writer *trace = NULL;
	if (run.trace_path && trace_writer_open(&trace, run.trace_path, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	cli_pin_to_current_cpu();
	struct sandbox sandbox;
	if (sandbox_enter(&sandbox, run.force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		trace_writer_close(trace, NULL);
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	int code;
	if (!run.plain) {
		struct tui_options tui = { .big = run.big, .color = getenv("NO_COLOR") == NULL, .quiz = run.quiz,
					   .trace = trace, .pcap_path = run.no_wire ? NULL : run.pcap_path };
		cli_output_for_curses();
		code = tui_run(lesson, NULL, 0, &sandbox, &tui);
	} else {
		struct session *session = NULL;
		cli_catch_stop_signals();
		if (session_new(&session, lesson, &sandbox, &err) < 0
		    || (!run.no_wire && session_capture(session, run.pcap_path, &err) < 0)) {
			fprintf(stderr, "socklab: %s\n", err);
			free(err);
			code = EXIT_USAGE;
		} else {
			session_set_interrupt(session, &cli_stop_signal);
			struct progress *progress = cli_load_progress();
			code = plain_run(session, trace, run.quiz, run.terse, progress, &run.pace, &cli_stop_signal);
			progress_free(progress);
		}
		session_free(session);
	}
	if (trace_writer_close(trace, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		code = EXIT_USAGE;
	}
	sandbox_done(&sandbox);
	lesson_free(lesson);
	return cli_exit_for_signal(code);
}

