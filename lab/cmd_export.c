/* cmd_export — `socklab export`: a run as a sequence diagram (SVG, or an
 * HTML handout), from a lesson it runs or from a recorded trace. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "consent.h"
#include "export.h"
#include "i18n.h"
#include "lessons.h"
#include "options.h"
#include "sandbox.h"
#include "session.h"
#include "trace.h"

/* Whether `path` is a trace (its first line says so), not a lesson. */
static bool is_trace_file(const char *path)
{
	static const char mark[] = "{\"socklab_trace\"";
	char start[sizeof mark] = "";
	FILE *file = fopen(path, "r");
	if (!file)
		return false;
	size_t got = fread(start, 1, sizeof mark - 1, file);
	fclose(file);
	return got == sizeof mark - 1 && memcmp(start, mark, sizeof mark - 1) == 0;
}

static int export_trace(const char *path, const char *output, enum export_format format)
{
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	if (trace_read(path, &info, &events, &count, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		return EXIT_USAGE;
	}
	int code = EXIT_OK;
	if (export_write(output, format, &info, events, count, NULL, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		code = EXIT_USAGE;
	}
	for (size_t i = 0; i < count; i++)
		lab_event_done(&events[i]);
	free(events);
	return code;
}

/* Runs the lesson to its end, as run --plain does, then writes its diagram. */
static int export_lesson(struct lesson *lesson, const char *output, enum export_format format,
			 bool force_host, const char *trace_path)
{
	if (consent_has_programs(lesson) && !lesson->programs_allowed)
		return cli_refuse_programs(lesson);
	char *err = NULL;
	struct trace_writer *trace = NULL;
	if (trace_path && trace_writer_open(&trace, trace_path, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	struct sandbox sandbox;
	cli_pin_to_current_cpu();
	if (cli_enter_sandbox(&sandbox, force_host, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err);
		free(err);
		trace_writer_close(trace, NULL);
		return EXIT_USAGE;
	}
	struct session *session = NULL;
	int code = EXIT_OK;
	cli_catch_stop_signals();
	if (session_new(&session, lesson, &sandbox, &err) < 0
	    || session_capture(session, NULL, &err) < 0
	    || export_run(session, &cli_stop_signal, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		code = EXIT_USAGE;
	} else if (!cli_stop_signal) {
		size_t count;
		const struct lab_event *events = session_events(session, &count);
		int written = trace ? trace_write_info(trace, session_info(session), &err) : 0;
		for (size_t i = 0; trace && written == 0 && i < count; i++)
			written = trace_write_event(trace, &events[i], &err);
		if (written < 0
		    || export_write(output, format, session_info(session), events, count, lesson,
				    &err) < 0) {
			fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
			free(err);
			code = EXIT_USAGE;
		} else if (session_failure_count(session)) {
			fprintf(stderr,
				ngettext("socklab: %zu expectation not met in this run (socklab "
					 "run --plain %s shows them)\n",
					 "socklab: %zu expectations not met in this run (socklab "
					 "run --plain %s shows them)\n",
					 session_failure_count(session)),
				session_failure_count(session), lesson->name);
			code = EXIT_EXPECTATION;
		}
	}
	session_free(session);
	code = cli_close_trace(trace, code);
	sandbox_done(&sandbox);
	return cli_exit_for_signal(code);
}

enum export_row {
	EXPORT_ROW_SVG,
	EXPORT_ROW_HTML,
	EXPORT_ROW_OUTPUT,
	EXPORT_ROW_TRACE,
	EXPORT_ROW_HOST,
	EXPORT_ROW_ALLOW_PROGRAMS,
	EXPORT_ROW_COUNT };

static const struct option_row export_rows[EXPORT_ROW_COUNT] = {
	[EXPORT_ROW_SVG] = { .name = "svg" },
	[EXPORT_ROW_HTML] = { .name = "html" },
	[EXPORT_ROW_OUTPUT] = { .name = "output", .letter = 'o', .value = "FILE" },
	[EXPORT_ROW_TRACE] = { .name = "trace", .value = "FILE" },
	[EXPORT_ROW_HOST] = { .name = "host" },
	[EXPORT_ROW_ALLOW_PROGRAMS] = { .name = "allow-programs" },
};

static const struct options_spec export_spec = { "export", "LESSON|TRACE", export_rows,
						 EXPORT_ROW_COUNT };

struct export_options {
	const char *output, *trace_path;
	int format;              /* enum export_format, -1 from the output's name */
	bool force_host, allow_programs;
};

static int take_export_option(void *context, size_t row, const char *value)
{
	struct export_options *options = context;
	switch ((enum export_row)row) {
	case EXPORT_ROW_SVG: options->format = EXPORT_SVG; break;
	case EXPORT_ROW_HTML: options->format = EXPORT_HTML; break;
	case EXPORT_ROW_OUTPUT: options->output = value; break;
	case EXPORT_ROW_TRACE: options->trace_path = value; break;
	case EXPORT_ROW_HOST: options->force_host = true; break;
	case EXPORT_ROW_ALLOW_PROGRAMS: options->allow_programs = true; break;
	case EXPORT_ROW_COUNT: break;
	}
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct export_options options = { .output = "-", .format = -1 };
	int first = options_parse(&export_spec, argc, argv, take_export_option, &options);
	if (first < 0)
		return first == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
	if (first != argc - 1) {
		fprintf(stderr,
			first < argc - 1
				? _("socklab export: one lesson or trace at a time\n")
				: _("socklab export: which lesson or trace? (see socklab list)\n"));
		options_usage(stderr, &export_spec);
		return EXIT_USAGE;
	}
	const char *output = options.output, *trace_path = options.trace_path;
	int format = options.format;
	bool force_host = options.force_host, allow_programs = options.allow_programs;
	const char *given = argv[first];
	if (format < 0)
		format = export_format_for(output);
	if (strcmp(output, "-") != 0 && cli_same_file(output, given)) {
		fprintf(stderr,
			_("socklab export: -o would overwrite '%s' itself: name another file\n"),
			given);
		return EXIT_USAGE;
	}
	/* A bare name or number is socklab's lesson even where a file of that
	 * name is here (as for run); any other file that reads as a trace is one. */
	char *named = NULL;
	int resolved = strchr(given, '/') ? 0 : lessons_resolve(given, &named);
	free(named);
	if (resolved < 0) {
		fprintf(stderr, _("socklab: out of memory\n"));
		return EXIT_USAGE;
	}
	if (resolved == 0 && is_trace_file(given)) {
		if (trace_path) {
			fprintf(stderr,
				_("socklab export: --trace records a lesson's run; '%s' is a trace "
				  "already\n"),
				given);
			return EXIT_USAGE;
		}
		return export_trace(given, output, (enum export_format)format);
	}
	struct lesson *lesson = lessons_load(given, allow_programs);
	if (!lesson)
		return EXIT_USAGE;
	int code = strcmp(output, "-") != 0 && cli_same_file(output, lesson->path)
		? (fprintf(stderr, _("socklab export: -o would overwrite the lesson '%s' itself\n"),
			   lesson->path),
		   EXIT_USAGE)
		: export_lesson(lesson, output, (enum export_format)format, force_host, trace_path);
	lesson_free(lesson);
	return code;
}
