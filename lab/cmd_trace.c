/* cmd_trace — the commands on recorded traces: replay and normalise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "options.h"
#include "plain.h"
#include "model.h"
#include "trace.h"

/* --plain is the only way replay prints: kept so that scripts may say it. */
static const struct option_row replay_rows[] = { { .name = "plain" } };

static const struct options_spec replay_spec = { "replay", "FILE", replay_rows, 1 };

static int take_nothing(void *context, size_t row, const char *value)
{
	(void)context, (void)row, (void)value;
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	int first = options_parse(&replay_spec, argc, argv, take_nothing, NULL);
	if (first < 0)
		return first == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
	if (first != argc - 1) {
		fprintf(stderr,
			first < argc - 1 ? _("socklab replay: one trace at a time\n")
					 : _("socklab replay: which trace?\n"));
		options_usage(stderr, &replay_spec);
		return EXIT_USAGE;
	}
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	if (trace_read(argv[first], &info, &events, &count, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		return EXIT_USAGE;
	}
	plain_print_info(stdout, &info);
	plain_print_log(stdout, &info, events, count);
	plain_print_summary(stdout, &info, events, count);
	size_t failures = 0;
	for (size_t i = 0; i < count; i++) {
		failures += events[i].failure_count;
		lab_event_done(&events[i]);
	}
	free(events);
	return failures ? EXIT_EXPECTATION : EXIT_OK;
}

int cmd_normalise(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, _("usage: socklab normalise TRACE   (prints the golden form)\n"));
		return EXIT_USAGE;
	}
	char *err = NULL;
	if (trace_normalise(argv[1], stdout, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : _("out of memory"));
		free(err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

