/* cmd_trace — the commands on recorded traces: replay and normalise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plain.h"
#include "session.h"
#include "trace.h"

int cmd_replay(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--plain") == 0)
		first = 2;
	if (argc != first + 1) {
		fprintf(stderr, "usage: socklab replay [--plain] FILE\n");
		return EXIT_USAGE;
	}
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	if (trace_read(argv[first], &info, &events, &count, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
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
		fprintf(stderr, "usage: socklab normalise TRACE   (prints the golden form)\n");
		return EXIT_USAGE;
	}
	char *err = NULL;
	if (trace_normalise(argv[1], stdout, &err) < 0) {
		fprintf(stderr, "socklab: %s\n", err ? err : "out of memory");
		free(err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

