/* fuzz_trace — trace_read on arbitrary bytes.
 *
 * trace_read takes a path, so each input is written to a memfd and read
 * back through /proc/self/fd/N: no file on disk, nothing left behind.
 * The memfd is made once and truncated for each input.
 * Beyond memory errors: failure always comes with a message and leaves
 * nothing to free; success gives events the caller can free.
 *
 * Seeds: traces/ (the golden traces, normalised JSON Lines, read in place)
 * and tests/fuzz/corpus-trace/ (hand-made ones, port_map and all).
 *
 * Built only when lab/trace.c exists (tests/fuzz/CMakeLists.txt).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "session.h"
#include "trace.h"

#define FUZZ_MAX_BYTES 65536

static int memory_fd = -1;
static char memory_path[64];

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memory_fd = memfd_create("fuzz_trace", MFD_CLOEXEC);
	if (memory_fd < 0)
		abort();
	snprintf(memory_path, sizeof memory_path, "/proc/self/fd/%d", memory_fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	if (ftruncate(memory_fd, 0) < 0 || pwrite(memory_fd, data, size, 0) != (ssize_t)size)
		abort();

	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	char *err = NULL;
	memset(&info, 0, sizeof info);
	int result = trace_read(memory_path, &info, &events, &count, &err);
	if (result == 0) {
		check(err == NULL);
		check(info.side_count >= 1 && info.side_count <= LESSON_MAX_SIDES);
		for (size_t i = 0; i < count; i++)
			lab_event_done(&events[i]);
		free(events);
	} else {
		check(result == -1 && err != NULL);
	}
	free(err);
	return 0;
}
