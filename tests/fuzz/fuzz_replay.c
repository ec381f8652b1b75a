/* fuzz_replay — `socklab replay` on arbitrary bytes: trace_read, then the
 * transcript printed (plain_print_info, _log, _summary) through the
 * terminal filter, as main prints it.
 *
 * Beyond memory errors: what reaches the "terminal" (a memfd) holds no
 * control byte but newline and tab, no DEL and no C1 control, whatever
 * strings the trace carries (titles, call text, addresses, held segments,
 * failures are all someone else's bytes).
 *
 * Seeds: traces/ (the golden traces, read in place), tests/fuzz/corpus-trace/
 * and tests/fuzz/corpus-replay/ (traces full of escapes).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "plain.h"
#include "session.h"
#include "terminal_safe.h"
#include "text.h"
#include "trace.h"

#define FUZZ_MAX_BYTES 65536

static int trace_fd = -1, screen_fd = -1;
static char trace_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace_fd = memfd_create("fuzz_replay_trace", MFD_CLOEXEC);
	screen_fd = memfd_create("fuzz_replay_screen", MFD_CLOEXEC);
	if (trace_fd < 0 || screen_fd < 0)
		abort();
	snprintf(trace_path, sizeof trace_path, "/proc/self/fd/%d", trace_fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	if (ftruncate(trace_fd, 0) < 0 || pwrite(trace_fd, data, size, 0) != (ssize_t)size)
		abort();
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	memset(&info, 0, sizeof info);
	if (trace_read(trace_path, &info, &events, &count, &err) < 0) {
		free(err);
		return 0;
	}
	if (ftruncate(screen_fd, 0) < 0 || lseek(screen_fd, 0, SEEK_SET) < 0)
		abort();
	struct text_terminal terminal;
	FILE *screen = text_terminal_open(&terminal, screen_fd);
	if (!screen)
		abort();
	plain_print_info(screen, &info);
	plain_print_log(screen, &info, events, count);
	plain_print_summary(screen, &info, events, count);
	check(fclose(screen) == 0 && terminal.error == 0);
	check_terminal_safe(screen_fd);
	for (size_t i = 0; i < count; i++)
		lab_event_done(&events[i]);
	free(events);
	return 0;
}
