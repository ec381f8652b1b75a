/* Tests of wrap (lab/tui/wrap.c): lesson prose broken into screen lines,
 * paragraphs kept, overlong words cut on a character boundary, columns
 * counted in display columns (wcwidth: a Chinese character takes two), and
 * Chinese broken between characters but never before closing punctuation
 * nor after opening punctuation. No curses, no terminal.
 */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
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

/* ---- Chinese: display width and line breaks ------------------------- */

Test(wrap, counts_a_chinese_character_as_two_columns_in_a_utf8_locale)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	cr_expect_eq(wrap_columns("套接字", strlen("套接字")), 6,
		     "three characters of three bytes each");
	cr_expect_eq(wrap_columns("fd 3，", strlen("fd 3，")), 6);
	cr_expect_eq(wrap_columns("caf\xc3\xa9", 5), 4, "é is one column");
}

Test(wrap, counts_wide_characters_as_two_columns_even_without_a_utf8_locale)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C"));
	cr_expect_eq(wrap_columns("套接字", strlen("套接字")), 6);
	cr_expect_eq(wrap_columns("（，）", strlen("（，）")), 6, "fullwidth punctuation");
}

Test(wrap, breaks_chinese_between_characters_at_the_width_in_columns)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	char out[256];
	/* Ten characters, twenty columns, in lines of seven columns: three characters each. */
	cr_expect_eq(wrapped("内核完成了三次握手", 7, out, sizeof out), 3);
	cr_expect_str_eq(out, "内核完|成了三|次握手");
}

Test(wrap, keeps_latin_words_whole_inside_chinese_text)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	char out[256];
	/* "accept()" is not cut; the space before it is a break too. */
	cr_expect_eq(wrapped("服务器在 accept() 里睡眠", 12, out, sizeof out), 3);
	cr_expect_str_eq(out, "服务器在|accept() 里|睡眠");
	/* Chinese next to Latin without a space breaks between them. */
	cr_expect_eq(wrapped("状态ESTABLISHED了", 12, out, sizeof out), 3);
	cr_expect_str_eq(out, "状态|ESTABLISHED|了");
}

Test(wrap, never_starts_a_line_with_closing_nor_ends_one_with_opening_punctuation)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	char out[256];
	/* At width 6 "放进队" fills a line and would put "，" first on the next:
	 * the comma goes with the character before it. */
	cr_expect_eq(wrapped("放进队，然后", 6, out, sizeof out), 3);
	cr_expect_str_eq(out, "放进|队，然|后");
	cr_expect_eq(wrapped("最多放五个（这里是）", 10, out, sizeof out), 2);
	cr_expect_str_eq(out, "最多放五个|（这里是）");
	const char *const closing[] = { "，", "。", "；", "：", "？", "！", "）", "」" };
	for (size_t i = 0; i < sizeof closing / sizeof closing[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "一二三%s四五六%s七八九", closing[i], closing[i]);
		struct wrap_line lines[8];
		size_t count = wrap_text(text, 6, lines, 8);
		for (size_t k = 0; k < count && k < 8; k++) {
			cr_expect_neq(strncmp(lines[k].start, closing[i], strlen(closing[i])), 0,
				      "line %zu of %s starts with it", k, text);
			cr_expect_leq(wrap_columns(lines[k].start, lines[k].len), 6);
		}
	}
	const char *const opening[] = { "（", "「" };
	for (size_t i = 0; i < 2; i++) {
		char text[64];
		snprintf(text, sizeof text, "一二%s三四%s五六", opening[i], opening[i]);
		struct wrap_line lines[8];
		size_t count = wrap_text(text, 6, lines, 8);
		for (size_t k = 0; k < count && k < 8; k++) {
			size_t len = strlen(opening[i]);
			cr_expect(lines[k].len < len
					  || memcmp(lines[k].start + lines[k].len - len, opening[i],
						    len) != 0,
				  "line %zu of %s ends with it", k, text);
		}
	}
}

Test(wrap, cuts_an_overlong_chinese_run_without_halving_a_character)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	struct wrap_line lines[4];
	/* Width 3 holds one wide character, not one and a half. */
	cr_expect_eq(wrap_text("套接字", 3, lines, 4), 3);
	cr_expect_eq(lines[0].len, 3);
	/* Width 1 still shows one character a line rather than none. */
	cr_expect_eq(wrap_text("套接", 1, lines, 4), 2);
}
