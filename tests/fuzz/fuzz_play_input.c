/* fuzz_play_input — what `socklab play --plain` does with its input, on
 * arbitrary bytes: the bounded line reader (play_read_line), the parser as
 * free play takes a line (play_parse_line, with the scope growing line by
 * line as in a session), and every message printed through the terminal
 * filter (text_terminal_open), as the plain frontends print.
 *
 * Beyond memory errors: no line kept is longer than a lesson line; a
 * refused line always says why; and what reaches the "terminal" (a memfd)
 * holds no control byte but newline and tab, no DEL, no C1 control.
 *
 * The calls are parsed, never run: running them is the kernel's part, and
 * a fuzzer must not make real calls on the machine that runs it.
 * Seeds: tests/fuzz/corpus-play/ (scripts, the hostile corpus's among them).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lesson.h"
#include "play.h"
#include "terminal_safe.h"
#include "text.h"

#define FUZZ_MAX_BYTES 8192   /* lines are at most 1,000 bytes: 8 KiB holds several,
                                 and a longer one */

static int screen_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	screen_fd = memfd_create("fuzz_play_screen", MFD_CLOEXEC);
	if (screen_fd < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sides[][NAME_MAX_LEN] = { "server", "client" };
	if (size > FUZZ_MAX_BYTES || size == 0)
		return 0;
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		abort();
	if (ftruncate(screen_fd, 0) < 0 || lseek(screen_fd, 0, SEEK_SET) < 0)
		abort();
	struct text_terminal terminal;
	FILE *screen = text_terminal_open(&terminal, screen_fd);
	if (!screen)
		abort();

	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	char line[LESSON_LINE_MAX_BYTES + 2];
	bool too_long;
	ssize_t len;
	int number = 0;
	while ((len = play_read_line(in, line, sizeof line, &too_long)) >= 0) {
		number++;
		check((size_t)len < sizeof line && line[len] == '\0');
		struct diagnostics diag;
		diagnostics_init(&diag, "<stdin>");
		struct typed_call call;
		memset(&call, 0, sizeof call);
		int result =
			play_parse_line(line, (size_t)len, number, sides, 2, &scope, &call, &diag);
		if (result == 1) {
			check(diag.count == 0 && call.def != NULL && call.text != NULL);
			check(!call.def->wire);
			fprintf(screen, "step %d  %s: %s\n", number, sides[call.side], call.text);
			typed_call_done(&call);
		} else if (result < 0) {
			check(diag.count > 0);
		} else {
			check(diag.count == 0);
		}
		for (size_t i = 0; i < diag.count; i++)
			fprintf(screen, "%s\n", diag.messages[i]);
		diagnostics_done(&diag);
	}
	fclose(in);
	check(fclose(screen) == 0 && terminal.error == 0);
	check_terminal_safe(screen_fd);
	return 0;
}
