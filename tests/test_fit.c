/* fit: the 80x24 measure of lesson prose that `socklab check` warns with. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "wrap.h"

Test(fit, measures_with_the_screens_own_wrap)
{
	/* 78 columns: a 78-character line is one line, 79 characters are two. */
	char line[80];
	memset(line, 'a', 78);
	line[78] = '\0';
	cr_expect_eq(fit_say_lines(line), 1);
	cr_expect_eq(fit_say_lines("one\n\ntwo"), 3, "a paragraph break is a blank line");
	cr_expect_eq(fit_say_lines(NULL), 0);
	const char *text = "word word word word word word word word word word word word word word "
			   "word word word";
	cr_expect_eq(fit_say_lines(text), wrap_text(text, FIT_SAY_COLUMNS, NULL, 0));
	cr_expect_eq(fit_say_lines(text), 2);
}

static char *warnings_for(struct lesson *lesson)
{
	char *out = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&out, &size);
	cr_assert_not_null(stream);
	fit_warn_lesson(stream, lesson);
	fclose(stream);
	return out;
}

Test(fit, warns_for_the_intro_and_each_part_that_does_not_fit)
{
	char text[4096];
	int len = snprintf(text, sizeof text,
			   "title: T\nsides: server\nintro:\n  short\n\n"
			   "step server: s = socket(AF_INET, SOCK_STREAM)\n  say:\n");
	char word[78];
	memset(word, 'a', 77);
	word[77] = '\0';
	/* exactly what fits: 77 and a space fill each line */
	for (int i = 0; i < FIT_SAY_ROWS; i++)
		len += snprintf(text + len, sizeof text - (size_t)len, "    %s\n", word);
	len += snprintf(text + len, sizeof text - (size_t)len, "  then-say:\n");
	for (int i = 0; i < 20; i++)
		len += snprintf(text + len, sizeof text - (size_t)len,
				"    line %d of twenty, a whole paragraph each.\n\n", i);
	struct diagnostics diag;
	diagnostics_init(&diag, "t.lesson");
	struct lesson *lesson = lesson_parse("t.lesson", text, (size_t)len, &diag);
	cr_assert_not_null(lesson, "%s", diag.count ? diag.messages[0] : "");
	char *out = warnings_for(lesson);
	cr_expect_str_eq(out, "t.lesson:6: the explanation needs 39 lines at 80x24, 7 fit\n");
	free(out);
	lesson_free(lesson);
	diagnostics_done(&diag);
}
