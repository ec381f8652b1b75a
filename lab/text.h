/* text — small string helpers shared by every module: error messages,
 * escaping untrusted bytes for a terminal, printing addresses. */
#ifndef SOCKLAB_TEXT_H
#define SOCKLAB_TEXT_H

#include <stddef.h>
#include <sys/socket.h>

/* Sets *err to a malloc'd formatted message (if err is not NULL) and
 * returns -1, so a caller can write `return text_error(err, ...)`. */
int text_error(char **err, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Writes bytes as printable ASCII: \n \r \t \\ \" and \xHH for the rest, so
 * a peer's bytes never reach a terminal raw. Always NUL-terminates; cuts
 * at out_size and ends with "..." when cut. Returns out. */
char *text_escape(const void *bytes, size_t len, char *out, size_t out_size);

/* "127.0.0.1:65432", "[::1]:65432", "0.0.0.0:65432", "/tmp/x.sock", "@abstract",
 * "(unnamed)"; "*" for no address at all (a listener's peer). */
char *text_address(const struct sockaddr *address, socklen_t len, char *out, size_t out_size);

/* Room for any address text_address prints. */
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
