/* Tests of bigfont (lab/tui/bigfont.c): the projector's large letters.
 * No curses. */
#include <criterion/criterion.h>

#include <string.h>

#include "bigfont.h"

static void rows_of(const char *text, int scale, char rows[BIGFONT_ROWS][256])
{
	for (int row = 0; row < BIGFONT_ROWS; row++)
		bigfont_row(text, scale, row, rows[row], 256);
}

Test(bigfont, draws_a_letter_as_ink_rows)
{
	char rows[BIGFONT_ROWS][256];
	rows_of("L", 1, rows);
	cr_assert_str_eq(rows[0], "#   ");
	cr_assert_str_eq(rows[3], "#   ");
	cr_assert_str_eq(rows[4], "####");
	rows_of("T", 1, rows);
	cr_assert_str_eq(rows[0], "#####");
	cr_assert_str_eq(rows[4], "  #  ");
}

Test(bigfont, leaves_a_column_between_glyphs_and_scales_pixels_to_cells)
{
	cr_assert_eq(bigfont_width("I", 1), 3);
	cr_assert_eq(bigfont_width("II", 1), 7);
	cr_assert_eq(bigfont_width("II", 2), 14);
	char rows[BIGFONT_ROWS][256];
	rows_of("II", 2, rows);
	cr_assert_str_eq(rows[0], "######  ######");
	cr_assert_str_eq(rows[1], "  ##      ##  ");
	for (int row = 0; row < BIGFONT_ROWS; row++)
		cr_assert_eq((int)strlen(rows[row]), bigfont_width("II", 2));
}

/* The issue's yardstick: ESTABLISHED fits a pane of 100 columns at the
 * larger scale, and every state name in the smaller one of 60. */
Test(bigfont, fits_the_longest_state_in_a_pane)
{
	cr_assert_leq(bigfont_width("*ESTABLISHED", 1), 58);
	cr_assert_leq(bigfont_width("PSH-ACK", 1), 32);
	cr_assert_leq(bigfont_width("ESTABLISHED", 2), 116);
	const char *states[] = { "LISTEN",     "SYN-SENT",   "SYN-RECV",   "ESTABLISHED",
				 "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",
				 "LAST-ACK",   "TIME-WAIT",  "CLOSE",      "UNCONN" };
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		for (const char *c = states[i]; *c; c++)
			cr_expect(bigfont_has(*c), "%s: no glyph for '%c'", states[i], *c);
		cr_expect_leq(bigfont_width(states[i], 1), 56, "%s", states[i]);
	}
}

/* No stroke thinner than a cell: every glyph has ink in every row it uses,
 * and a lower-case letter is its capital. */
Test(bigfont, reads_lower_case_as_capitals_and_unknown_as_a_question_mark)
{
	char lower[BIGFONT_ROWS][256], upper[BIGFONT_ROWS][256], unknown[BIGFONT_ROWS][256],
		question[BIGFONT_ROWS][256];
	rows_of("accept(ls) = 4", 1, lower);
	rows_of("ACCEPT(LS) = 4", 1, upper);
	rows_of("{", 1, unknown);
	rows_of("?", 1, question);
	for (int row = 0; row < BIGFONT_ROWS; row++) {
		cr_assert_str_eq(lower[row], upper[row]);
		cr_assert_str_eq(unknown[row], question[row]);
	}
	cr_assert(!bigfont_has('{'));
	cr_assert(bigfont_has('a'));
}

Test(bigfont, cuts_at_the_buffer_and_refuses_rows_out_of_range)
{
	char out[8];
	cr_assert_eq(bigfont_row("ESTABLISHED", 1, 0, out, sizeof out), 7);
	cr_assert_eq(strlen(out), 7);
	cr_assert_eq(bigfont_row("E", 1, BIGFONT_ROWS, out, sizeof out), 0);
	cr_assert_str_eq(out, "");
	cr_assert_eq(bigfont_row("E", 1, -1, out, sizeof out), 0);
}
