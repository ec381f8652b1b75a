/* wrap — greedy line breaking over lesson prose, English or Chinese. */
#include "wrap.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xc0) == 0x80;
}

/* Decodes the UTF-8 character at text (len > 0); *used gets its bytes.
 * A malformed byte reads as itself, one byte. */
static uint32_t decode(const char *text, size_t len, size_t *used)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t need = bytes[0] < 0x80 ? 1
		: bytes[0] >= 0xf0    ? 4
		: bytes[0] >= 0xe0    ? 3
		: bytes[0] >= 0xc0    ? 2
				      : 0;
	if (need <= 1 || need > len) {
		*used = 1;
		return bytes[0];
	}
	uint32_t code = bytes[0] & (0x7f >> need);
	for (size_t i = 1; i < need; i++) {
		if (!is_continuation(bytes[i])) {
			*used = 1;
			return bytes[0];
		}
		code = code << 6 | (bytes[i] & 0x3f);
	}
	*used = need;
	return code;
}

/* East Asian wide ranges, for a process whose locale is not UTF-8
 * (wcwidth() then knows no character above ASCII). */
static bool in_wide_range(uint32_t code)
{
	static const uint32_t ranges[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
		{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x20000, 0x3fffd },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (code >= ranges[i][0] && code <= ranges[i][1])
			return true;
	return false;
}

/* Display columns of one character: wcwidth(), as curses counts them. */
static int char_columns(uint32_t code)
{
	if (code < 0x80)
		return 1;
	int columns = wcwidth((wchar_t)code);
	if (columns >= 0)
		return columns;
	return in_wide_range(code) ? 2 : 1;
}

int wrap_columns(const char *text, size_t len)
{
	int columns = 0;
	for (size_t i = 0, used; i < len; i += used)
		columns += char_columns(decode(text + i, len - i, &used));
	return columns;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Chinese line-breaking rules: no line starts with closing punctuation,
 * none ends with opening punctuation. */
static bool no_line_start(uint32_t code)
{
	static const uint32_t closing[] = { 0xff0c /* ， */,
					    0x3002 /* 。 */,
					    0xff1b /* ； */,
					    0xff1a /* ： */,
					    0xff1f /* ？ */,
					    0xff01 /* ！ */,
					    0xff09 /* ） */,
					    0x300d /* 」 */,
					    0x3001 /* 、 */,
					    0x300f /* 』 */,
					    0x300b /* 》 */,
					    0x201d /* ” */,
					    0x2019 /* ’ */,
					    ',',
					    '.',
					    ';',
					    ':',
					    '?',
					    '!',
					    ')',
					    ']' };
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++)
		if (code == closing[i])
			return true;
	return false;
}

static bool no_line_end(uint32_t code)
{
	static const uint32_t opening[] = { 0xff08 /* （ */,
					    0x300c /* 「 */,
					    0x300e /* 『 */,
					    0x300a /* 《 */,
					    0x201c /* “ */,
					    0x2018 /* ‘ */,
					    '(',
					    '[' };
	for (size_t i = 0; i < sizeof opening / sizeof opening[0]; i++)
		if (code == opening[i])
			return true;
	return false;
}

/* Whether a line may break between two adjacent characters (no space
 * between): around a wide character, as Chinese text breaks, unless the
 * punctuation rules forbid it. */
static bool may_break_between(uint32_t before, uint32_t after)
{
	if (char_columns(before) < 2 && char_columns(after) < 2)
		return false;
	return !no_line_start(after) && !no_line_end(before);
}

static void emit(struct wrap_line *lines, size_t max_lines, size_t *count, const char *start,
		 size_t len)
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

/* The end of the unbreakable piece starting at `at`: up to a space or a
 * place where a line may break between two characters. */
static const char *piece_end(const char *at, const char *end)
{
	size_t used;
	uint32_t previous = decode(at, (size_t)(end - at), &used);
	at += used;
	while (at < end && !is_space(*at)) {
		uint32_t next = decode(at, (size_t)(end - at), &used);
		if (may_break_between(previous, next))
			break;
		previous = next;
		at += used;
	}
	return at;
}

/* Cuts a piece wider than the line at `width` columns, on a character
 * boundary; at least one character. */
static const char *cut_at_width(const char *at, const char *end, int width)
{
	int columns = 0;
	const char *cut = at;
	while (cut < end) {
		size_t used;
		int next = char_columns(decode(cut, (size_t)(end - cut), &used));
		if (cut > at && columns + next > width)
			break;
		columns += next;
		cut += used;
	}
	return cut;
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
			/* Take pieces while they fit; a piece longer than the line is cut. */
			const char *line_start = at, *line_end = at, *scan = at;
			int used = 0;
			while (scan < end) {
				bool spaced = scan > line_start && is_space(scan[-1]);
				const char *piece = scan;
				scan = piece_end(piece, end);
				int piece_columns = wrap_columns(piece, (size_t)(scan - piece));
				int needed = used + (used && spaced ? 1 : 0) + piece_columns;
				if (needed > width) {
					if (used == 0)
						line_end = cut_at_width(piece, scan, width);
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
