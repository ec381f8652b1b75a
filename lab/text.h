/* text — small string helpers shared by every module: error messages,
 * escaping untrusted bytes for a terminal, printing addresses. */
#ifndef SOCKLAB_TEXT_H
#define SOCKLAB_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Sets *err to a malloc'd formatted message (if err is not NULL) and
 * returns -1, so a caller can write `return text_error(err, ...)`. */
int text_error(char **err, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Writes bytes as printable ASCII: \n \r \t \\ \" and \xHH for the rest, so
 * a peer's bytes never reach a terminal raw. Always NUL-terminates; cuts
 * at out_size and ends with "..." when cut. Returns out. */
char *text_escape(const void *bytes, size_t len, char *out, size_t out_size);

/* text_escape's form read back (an uncut text): any byte but a backslash
 * stands for itself, so hand-written UTF-8 reads as its bytes. Writes at
 * most `len` bytes to `out` (decoding never grows). Returns how many, or
 * -1 with *bad_escape at the backslash of an escape it does not know. */
long text_unescape(const char *text, size_t len, unsigned char *out, size_t *bad_escape);

/* Appends printf-style text at out + *at (out holds `size` bytes), never
 * past the end: what does not fit is cut, the text then ends with "..."
 * (when there is room for it) and *at stays at size - 1, so later appends
 * add nothing. Every text built in pieces in a fixed buffer uses it.
 * Returns 0, or -1 when the text was cut. */
int text_append(char *out, size_t size, size_t *at, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

/* How many bytes at the start of text[0..len) a terminal shows as one
 * character and nothing more: 1 for printable ASCII, 2 to 4 for a valid
 * UTF-8 sequence that is not a C1 control; 0 for a control byte, DEL, a C1
 * control or invalid UTF-8, any of which a terminal may take as a command
 * (ESC starts them all). The one rule for everything that reaches a
 * terminal: the TUI's draw_text and the plain frontends' stream below. */
size_t text_printable_length(const void *text, size_t len);

/* The plain frontends' output: a stream that writes to `fd` what it is
 * given, each byte text_printable_length refuses shown as '?' (newline and
 * tab stay), so a lesson's title, a trace's strings or a program's source
 * line never reach the terminal raw. The state is the caller's and must
 * outlive the stream; `error` keeps the errno of the first write that
 * failed (0: none), as a FILE's error flag says no reason. fclose flushes
 * and leaves `fd` open. Returns NULL (errno set) when out of memory. */
struct text_terminal {
	int fd;
	int error;                    /* errno of the first failed write, 0 */
	unsigned char pending[4];     /* a UTF-8 sequence cut by the buffer's edge */
	size_t pending_len;
};
FILE *text_terminal_open(struct text_terminal *terminal, int fd);

/* Room for any address text_address and lab_address_text print (address.h). */
#define TEXT_ADDRESS_MAX 128

/* strdup that reports failure through err. */
char *text_dup(const char *s, size_t len);

/* Copies the string `from` into `out` (size bytes), cut to fit and always
 * NUL-terminated: snprintf(out, size, "%s", from) without printf, for the
 * snapshot's hot loops. Returns out. */
char *text_copy(char *out, size_t size, const char *from);

/* Appends `len` bytes to the text in `buffer` (`*used` of `size`), keeping
 * only the last size - 1 bytes when they do not fit: the tail of what a
 * program printed. NUL-terminates. */
void text_keep_tail(char *buffer, size_t size, size_t *used, const void *bytes, size_t len);

#endif
