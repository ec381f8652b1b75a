/* wrap — greedy word wrap over lesson prose. */
#include "wrap.h"

#include <stdbool.h>

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xc0) == 0x80;
}

int wrap_columns(const char *text, size_t len)
{
	int columns = 0;
	for (size_t i = 0; i < len; i++)
		if (!is_continuation((unsigned char)text[i]))
			columns++;
	return columns;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static void emit(struct wrap_line *lines, size_t max_lines, size_t *count, const char *start, size_t len)
{
	if (*count < max_lines) {
		lines[*count].start = start;
		lines[*count].len = len;
	}
	(*count)++;
}

/* A paragraph ends at a blank line: a newline, spaces, another newline. */
static const char *paragraph_end(const char *at)
{
	for (; *at; at++) {
		if (*at != '\n')
			continue;
		const char *next = at + 1;
		while (*next == ' ' || *next == '\t' || *next == '\r')
			next++;
		if (*next == '\n')
			return at;
	}
	return at;
}

size_t wrap_text(const char *text, int width, struct wrap_line *lines, size_t max_lines)
{
	size_t count = 0;
	if (!text || width < 1)
		return 0;
	const char *at = text;
	bool first_paragraph = true;
	while (*at) {
		while (is_space(*at))
			at++;
		if (!*at)
			break;
		if (!first_paragraph)
			emit(lines, max_lines, &count, at, 0);
		first_paragraph = false;
		const char *end = paragraph_end(at);
		while (at < end) {
			/* Take words while they fit; a word longer than the line is cut. */
			const char *line_start = at, *line_end = at, *scan = at;
			int used = 0;
			while (scan < end) {
				const char *word = scan;
				while (scan < end && !is_space(*scan))
					scan++;
				int word_columns = wrap_columns(word, (size_t)(scan - word));
				int needed = used ? used + 1 + word_columns : word_columns;
				if (needed > width) {
					if (used == 0) {
						/* Cut an overlong word at the width, on a character boundary. */
						const char *cut = word;
						for (int columns = 0; cut < scan && columns < width; columns++) {
							cut++;
							while (cut < scan && is_continuation((unsigned char)*cut))
								cut++;
						}
						line_end = scan = cut;
					}
					scan = line_end;
					break;
				}
				used = needed;
				line_end = scan;
				while (scan < end && is_space(*scan))
					scan++;
			}
			emit(lines, max_lines, &count, line_start, (size_t)(line_end - line_start));
			at = line_end;
			while (at < end && is_space(*at))
				at++;
		}
		at = end;
	}
	return count;
}
