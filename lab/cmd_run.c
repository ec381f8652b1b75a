/* cmd_run — `socklab run`: one lesson, in the TUI or as a transcript. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "consent.h"
#include "i18n.h"
#include "lessons.h"
#include "options.h"
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

enum run_row {
	RUN_PLAIN,
	RUN_TERSE,
	RUN_PACE,
	RUN_PAUSE,
	RUN_QUIZ,
	RUN_HOLD,
	RUN_TRACE,
	RUN_PCAP,
	RUN_NO_WIRE,
	RUN_HOST,
	RUN_BIG,
	RUN_ALLOW_PROGRAMS,
	RUN_ROW_COUNT };

static const struct option_row run_rows[RUN_ROW_COUNT] = {
	[RUN_PLAIN] = { .name = "plain" },
	[RUN_TERSE] = { .name = "terse" },
	[RUN_PACE] = { .name = "pace", .value = "SECONDS" },
	[RUN_PAUSE] = { .name = "pause", .value = "STEP:SECONDS" },
	[RUN_QUIZ] = { .name = "quiz" },
	[RUN_HOLD] = { .name = "hold" },
	[RUN_TRACE] = { .name = "trace", .value = "FILE" },
	[RUN_PCAP] = { .name = "pcap", .value = "FILE" },
	[RUN_NO_WIRE] = { .name = "no-wire" },
	[RUN_HOST] = { .name = "host" },
	[RUN_BIG] = { .name = "big" },
	[RUN_ALLOW_PROGRAMS] = { .name = "allow-programs" },
};

static const struct options_spec run_spec = { "run", "LESSON", run_rows, RUN_ROW_COUNT };

static int take_run_option(void *context, size_t row, const char *value)
{
	struct run_options *run = context;
	char why[160];
	switch ((enum run_row)row) {
	case RUN_PLAIN: run->plain = true; break;
	case RUN_TERSE: run->plain = run->terse = true; break;
	case RUN_QUIZ: run->quiz = true; break;
	case RUN_HOLD: run->hold = true; break;
	case RUN_TRACE: run->trace_path = value; break;
	case RUN_PCAP: run->pcap_path = value; break;
	case RUN_NO_WIRE: run->no_wire = true; break;
	case RUN_HOST: run->force_host = true; break;
	case RUN_BIG: run->big = true; break;
	case RUN_ALLOW_PROGRAMS: run->allow_programs = true; break;
	case RUN_PACE:
	case RUN_PAUSE:
		if ((row == RUN_PACE ? pace_parse_every : pace_parse_pause)(&run->pace, value, why,
									    sizeof why) < 0) {
			fprintf(stderr, "socklab run: %s\n", why);
			return -1;
		}
		break;
	case RUN_ROW_COUNT:
		break;
	}
	return 0;
}

/* What run's files must not be: the lesson itself (one file for two
 * outputs is refused before the lesson is looked for). Returns 0, or -1
 * with the message said. */
static int check_output_files(const struct run_options *run, const char *lesson_path)
{
	const char *const outputs[][2] = { { "--trace", run->trace_path },
					   { "--pcap", run->pcap_path } };
	for (size_t i = 0; i < 2; i++)
		if (outputs[i][1] && cli_same_file(outputs[i][1], lesson_path)) {
			fprintf(stderr,
				_("socklab run: %s would overwrite the lesson '%s' itself: name "
				  "another file\n"),
				outputs[i][0], outputs[i][1]);
			return -1;
		}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_options run = { 0 };
	int first = options_parse(&run_spec, argc, argv, take_run_option, &run);
	if (first < 0)
		return first == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
	if (first != argc - 1) {
		if (first < argc - 1)
			fprintf(stderr, _("socklab run: one lesson at a time, got %d\n"),
				argc - first);
		else
			fprintf(stderr, _("socklab run: which lesson? (see socklab list)\n"));
		options_usage(stderr, &run_spec);
		return EXIT_USAGE;
	}
	if (run.trace_path && run.pcap_path && cli_same_file(run.trace_path, run.pcap_path)) {
		fprintf(stderr,
			_("socklab run: --trace and --pcap name the same file '%s': give each "
			  "its own\n"),
			run.pcap_path);
		return EXIT_USAGE;
	}
	if (run.no_wire && run.pcap_path) {
		fprintf(stderr,
			_("socklab run: --pcap writes the packets --no-wire leaves uncaptured: use "
			  "one of them\n"));
		return EXIT_USAGE;
	}
	if (!run.plain && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		/* `socklab run 01 | less`, a script, CI: the transcript serves them. */
		fprintf(stderr,
			_("socklab: not a terminal, so printing the transcript (as with "
			  "--plain)\n"));
		run.plain = true;
	}
	if (!run.plain && (run.pace.every_s > 0 || run.pace.pause_count)) {
		fprintf(stderr,
			_("socklab run: --pace and --pause pace the --plain transcript (the TUI "
			  "has autoplay, key a)\n"));
		return EXIT_USAGE;
	}
	struct lesson *lesson = lessons_load(argv[first], run.allow_programs);
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
	if (cli_enter_sandbox(&sandbox, run.force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		trace_writer_close(trace, NULL);
		lesson_free(lesson);
		return EXIT_USAGE;
	}
	int code;
	if (!run.plain) {
		struct tui_options tui = { .big = run.big, .color = getenv("NO_COLOR") == NULL,
					   .quiz = run.quiz, .trace = trace,
					   .pcap_path = run.no_wire ? NULL : run.pcap_path };
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
			code = plain_run(session, trace, run.quiz, run.terse, progress, &run.pace,
					 &cli_stop_signal);
			progress_free(progress);
		}
		session_free(session);
	}
	code = cli_close_trace(trace, code);
	sandbox_done(&sandbox);
	lesson_free(lesson);
	return cli_exit_for_signal(code);
}

