/* What the fuzzers that print through the terminal filter check of what
 * reached the "terminal" (a memfd): no byte it could take as a command.
 * An oracle written apart from text.c's filter, on purpose. */
#ifndef SOCKLAB_FUZZ_TERMINAL_SAFE_H
#define SOCKLAB_FUZZ_TERMINAL_SAFE_H

#include <stdbool.h>
#include <sys/types.h>
#include <unistd.h>

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

/* No control byte but newline and tab, no DEL, no C1 control (0xc2 0x80-0x9f). */
static void check_terminal_safe(int fd)
{
	static unsigned char bytes[1 << 22];
	ssize_t len = pread(fd, bytes, sizeof bytes, 0);
	check(len >= 0);
	for (ssize_t i = 0; i < len; i++) {
		unsigned char byte = bytes[i];
		check(byte >= 0x20 || byte == '\n' || byte == '\t');
		check(byte != 0x7f);
		check(!(byte == 0xc2 && i + 1 < len && bytes[i + 1] >= 0x80
			&& bytes[i + 1] < 0xa0));
	}
}

#endif
