/* Tests of wrap (lab/tui/wrap.c): lesson prose broken into screen lines,
 * paragraphs kept, overlong words cut on a character boundary, columns
 * counted in code points. No curses, no terminal.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "wrap.h"

enum {
	MAX_LINES = 32
};

/* Wraps `text` and joins the lines with '|' (a newline inside a slice
 * shows as a space, as on screen). */
static size_t wrapped(const char *text, int width, char *out, size_t size)
{
	struct wrap_line lines[MAX_LINES];
	size_t count = wrap_text(text, width, lines, MAX_LINES);
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < count && i < MAX_LINES; i++) {
		cr_assert_leq(wrap_columns(lines[i].start, lines[i].len), width,
			      "line %zu is wider than %d", i, width);
		if (i > 0)
			out[at++] = '|';
		for (size_t k = 0; k < lines[i].len && at + 1 < size; k++)
			out[at++] = lines[i].start[k] == '\n' ? ' ' : lines[i].start[k];
		out[at] = '\0';
	}
	return count;
}

Test(wrap, keeps_a_short_text_on_one_line)
{
	char out[256];
	cr_assert_eq(wrapped("listen() turns a socket", 40, out, sizeof out), 1);
	cr_assert_str_eq(out, "listen() turns a socket");
}

Test(wrap, breaks_between_words_where_the_next_would_not_fit)
{
	char out[256];
	cr_assert_eq(wrapped("the kernel answers the handshake", 10, out, sizeof out), 4);
	cr_assert_str_eq(out, "the kernel|answers|the|handshake");
}

Test(wrap, fills_a_line_exactly_to_its_width)
{
	char out[256];
	cr_assert_eq(wrapped("abcde fghij", 11, out, sizeof out), 1);
	cr_assert_eq(wrapped("abcde fghij", 10, out, sizeof out), 2);
	cr_assert_str_eq(out, "abcde|fghij");
}

Test(wrap, reads_a_single_newline_as_a_space)
{
	char out[256];
	cr_assert_eq(wrapped("one\ntwo three", 40, out, sizeof out), 1);
	cr_assert_str_eq(out, "one two three");
}

Test(wrap, starts_a_paragraph_after_a_blank_line_with_an_empty_line)
{
	char out[256];
	cr_assert_eq(wrapped("first part\n\nsecond part", 40, out, sizeof out), 3);
	cr_assert_str_eq(out, "first part||second part");
	/* A line of spaces between them is blank too. */
	cr_assert_eq(wrapped("first\n   \nsecond", 40, out, sizeof out), 3);
	cr_assert_str_eq(out, "first||second");
}

Test(wrap, drops_leading_and_trailing_blank_space)
{
	char out[256];
	cr_assert_eq(wrapped("\n\n  words here  \n\n", 40, out, sizeof out), 1);
	cr_assert_str_eq(out, "words here");
}

Test(wrap, cuts_a_word_longer_than_the_line)
{
	char out[256];
	cr_assert_eq(wrapped("abcdefghij xy", 4, out, sizeof out), 4);
	cr_assert_str_eq(out, "abcd|efgh|ij|xy");
}

Test(wrap, counts_columns_in_code_points_and_cuts_on_a_character_boundary)
{
	/* "é" is two bytes, one column. */
	cr_assert_eq(wrap_columns("caf\xc3\xa9", 5), 4);
	struct wrap_line lines[4];
	cr_assert_eq(wrap_text("\xc3\xa9\xc3\xa9\xc3\xa9", 2, lines, 4), 2);
	cr_assert_eq(lines[0].len, 4);
	cr_assert_eq(lines[1].len, 2);
}

Test(wrap, measures_without_filling_when_given_no_room)
{
	cr_assert_eq(wrap_text("a b c d e f", 1, NULL, 0), 6);
	struct wrap_line lines[2];
	/* Only two entries filled, but the count is the whole text's. */
	cr_assert_eq(wrap_text("a b c d e f", 1, lines, 2), 6);
	cr_assert_eq(lines[1].len, 1);
	cr_assert_eq(lines[1].start[0], 'b');
}

Test(wrap, gives_nothing_for_no_text_or_no_width)
{
	struct wrap_line lines[2];
	cr_assert_eq(wrap_text(NULL, 40, lines, 2), 0);
	cr_assert_eq(wrap_text("", 40, lines, 2), 0);
	cr_assert_eq(wrap_text("  \n\n ", 40, lines, 2), 0);
	cr_assert_eq(wrap_text("text", 0, lines, 2), 0);
}
