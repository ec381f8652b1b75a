/* text — small string helpers. */
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int text_error(char **err, const char *format, ...)
{
	if (!err)
		return -1;
	va_list args;
	va_start(args, format);
	if (vasprintf(err, format, args) < 0)
		*err = NULL;
	va_end(args);
	return -1;
}

int text_append(char *out, size_t size, size_t *at, const char *format, ...)
{
	if (size == 0)
		return -1;
	if (*at > size - 1)
		*at = size - 1;
	size_t room = size - *at;
	va_list args;
	va_start(args, format);
	int written = vsnprintf(out + *at, room, format, args);
	va_end(args);
	if (written < 0) {
		out[*at] = '\0';
		return -1;
	}
	if ((size_t)written < room) {
		*at += (size_t)written;
		return 0;
	}
	/* Cut, even when the buffer was full before: the end says so. */
	*at = size - 1;
	if (size > 4)
		memcpy(out + size - 4, "...", 3);
	return -1;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

long text_unescape(const char *text, size_t len, unsigned char *out, size_t *bad_escape)
{
	static const char letters[] = "nrt\\\"", bytes[] = "\n\r\t\\\"";
	size_t at = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\\') {
			out[at++] = (unsigned char)text[i];
			continue;
		}
		/* A NUL is no letter (strchr would find the terminator). */
		char next = i + 1 < len ? text[i + 1] : '\0';
		const char *letter = next ? strchr(letters, next) : NULL;
		if (letter) {
			out[at++] = (unsigned char)bytes[letter - letters];
			i++;
		} else if (i + 3 < len && next == 'x' && hex_value(text[i + 2]) >= 0
			   && hex_value(text[i + 3]) >= 0) {
			int high = hex_value(text[i + 2]), low = hex_value(text[i + 3]);
			out[at++] = (unsigned char)(high << 4 | low);
			i += 3;
		} else {
			*bad_escape = i;
			return -1;
		}
	}
	return (long)at;
}

char *text_escape(const void *bytes, size_t len, char *out, size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = bytes;
	size_t at = 0;
	if (out_size == 0)
		return out;
	for (size_t i = 0; i < len; i++) {
		char piece[5];
		size_t piece_len = 2;
		unsigned char c = in[i];
		piece[0] = '\\';
		switch (c) {
		case '\n': piece[1] = 'n'; break;
		case '\r': piece[1] = 'r'; break;
		case '\t': piece[1] = 't'; break;
		case '\\': piece[1] = '\\'; break;
		case '"': piece[1] = '"'; break;
		default:
			if (c >= 0x20 && c < 0x7f) {
				piece[0] = (char)c;
				piece_len = 1;
			} else {
				piece[1] = 'x';
				piece[2] = hex[c >> 4];
				piece[3] = hex[c & 15];
				piece_len = 4;
			}
		}
		if (at + piece_len + 4 > out_size && i + 1 < len) {
			/* Keep room for "..." so a cut is visible. */
			if (at + 3 < out_size) {
				memcpy(out + at, "...", 3);
				at += 3;
			}
			break;
		}
		if (at + piece_len >= out_size)
			break;
		memcpy(out + at, piece, piece_len);
		at += piece_len;
	}
	out[at] = '\0';
	return out;
}

char *text_dup(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void text_keep_tail(char *buffer, size_t size, size_t *used, const void *bytes, size_t len)
{
	size_t room = size - 1;
	const unsigned char *from = bytes;
	if (len >= room) {
		from += len - room;
		len = room;
	}
	if (*used + len > room) {
		size_t drop = *used + len - room;
		memmove(buffer, buffer + drop, *used - drop);
		*used -= drop;
	}
	memcpy(buffer + *used, from, len);
	*used += len;
	buffer[*used] = '\0';
}

char *text_copy(char *out, size_t size, const char *from)
{
	if (size == 0)
		return out;
	size_t len = strnlen(from, size - 1);
	memmove(out, from, len);
	out[len] = '\0';
	return out;
}

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xc0) == 0x80;
}

/* Bytes a UTF-8 sequence starting with `lead` has, 0 when no sequence starts so. */
static size_t sequence_need(unsigned char lead)
{
	return lead >= 0xf0 && lead < 0xf5    ? 4
		: lead >= 0xe0 && lead < 0xf0 ? 3
		: lead >= 0xc2 && lead < 0xe0 ? 2
					      : 0;
}

size_t text_printable_length(const void *text, size_t len)
{
	const unsigned char *bytes = text;
	if (len == 0)
		return 0;
	if (bytes[0] < 0x80)
		return bytes[0] >= 0x20 && bytes[0] < 0x7f;
	size_t need = sequence_need(bytes[0]);
	if (need == 0 || need > len)
		return 0;
	for (size_t i = 1; i < need; i++)
		if (!is_continuation(bytes[i]))
			return 0;
	/* C1 controls (U+0080..U+009F) are terminal commands too. */
	if (need == 2 && bytes[0] == 0xc2 && bytes[1] < 0xa0)
		return 0;
	return need;
}

static int write_all(struct text_terminal *terminal, const char *bytes, size_t len)
{
	while (len > 0) {
		ssize_t n = write(terminal->fd, bytes, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!terminal->error)
				terminal->error = n < 0 ? errno : EIO;
			return -1;
		}
		bytes += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Filters `len` bytes into `out` (room for len bytes: nothing grows);
 * keeps a sequence cut at the end in pending when `more` may follow.
 * Returns the bytes written to out. */
static size_t filter_bytes(struct text_terminal *terminal, const unsigned char *in, size_t len,
			   char *out, bool more)
{
	size_t at = 0, i = 0;
	while (i < len) {
		size_t n = text_printable_length(in + i, len - i);
		if (in[i] == '\n' || in[i] == '\t')
			n = 1;
		if (n) {
			memcpy(out + at, in + i, n);
			at += n;
			i += n;
			continue;
		}
		size_t need = sequence_need(in[i]);
		bool cut = more && need > len - i;
		for (size_t k = i + 1; cut && k < len; k++)
			cut = is_continuation(in[k]);
		if (cut) {
			terminal->pending_len = len - i;
			memcpy(terminal->pending, in + i, terminal->pending_len);
			break;
		}
		out[at++] = '?';
		/* One '?' for a broken sequence, as the TUI draws it. */
		for (i++; i < len && in[i - 1] >= 0x80 && is_continuation(in[i]); i++)
			;
	}
	return at;
}

static ssize_t terminal_write(void *cookie, const char *bytes, size_t len)
{
	struct text_terminal *terminal = cookie;
	char out[4096 + sizeof terminal->pending];
	unsigned char joined[4096 + sizeof terminal->pending];
	size_t done = 0;
	while (done < len) {
		size_t take = len - done < 4096 ? len - done : 4096;
		size_t held = terminal->pending_len;
		memcpy(joined, terminal->pending, held);
		memcpy(joined + held, bytes + done, take);
		terminal->pending_len = 0;
		size_t n = filter_bytes(terminal, joined, held + take, out, true);
		if (write_all(terminal, out, n) < 0)
			return -1;
		done += take;
	}
	return (ssize_t)len;
}

static int terminal_close(void *cookie)
{
	struct text_terminal *terminal = cookie;
	char out[sizeof terminal->pending];
	size_t held = terminal->pending_len;
	terminal->pending_len = 0;
	size_t n = filter_bytes(terminal, terminal->pending, held, out, false);
	return write_all(terminal, out, n);
}

FILE *text_terminal_open(struct text_terminal *terminal, int fd)
{
	*terminal = (struct text_terminal){ .fd = fd };
	FILE *stream = fopencookie(terminal, "w",
				   (cookie_io_functions_t){ .write = terminal_write,
							    .close = terminal_close });
	/* A terminal sees each line as it is written, as with stdout. */
	if (stream && isatty(fd))
		setvbuf(stream, NULL, _IOLBF, 0);
	return stream;
}
