/* Tests of po: the PO reader (entries, contexts, continued strings, C
 * escapes, fuzzy and obsolete entries, errors with file:line) and the
 * string writer that lesson-pot uses. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "po.h"

static const char sample[] =
	"# header\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\n"
	"#. server: ls = socket(AF_INET, SOCK_STREAM)\n"
	"#: lessons/01-echo.lesson:15\n"
	"msgctxt \"01-echo:step 1:say\"\n"
	"msgid \"\"\n"
	"\"first line\\n\"\n"
	"\"second \\\"quoted\\\"\\tline\"\n"
	"msgstr \"\"\n"
	"\"第一行，\"\n"
	"\"第二行\"\n"
	"\n"
	"#, fuzzy, c-format\n"
	"msgctxt \"01-echo:step 2:say\"\n"
	"msgid \"old English\"\n"
	"msgstr \"旧的译文\"\n"
	"\n"
	"msgctxt \"01-echo:title\"\n"
	"msgid \"octal \\101 hex \\x42 backslash \\\\\"\n"
	"msgstr \"\"\n"
	"\n"
	"#~ msgctxt \"01-echo:step 9:say\"\n"
	"#~ msgid \"gone\"\n"
	"#~ msgstr \"没了\"\n";

Test(po, reads_entries_with_contexts_continued_strings_and_escapes)
{
	struct po_file po;
	char *err = NULL;
	cr_assert_eq(po_parse("t.po", sample, strlen(sample), &po, &err), 0, "%s", err);
	cr_assert_eq(po.count, 5);
	cr_expect_null(po.entries[0].context, "the header has no context");
	cr_expect_str_eq(po.entries[0].id, "");
	const struct po_entry *first = po_find(&po, "01-echo:step 1:say");
	cr_assert_not_null(first);
	cr_expect_str_eq(first->id, "first line\nsecond \"quoted\"\tline");
	cr_expect_str_eq(first->str, "第一行，第二行");
	cr_expect_not(first->fuzzy);
	cr_expect_eq(first->line, 8, "the line of its first keyword");
	const struct po_entry *title = po_find(&po, "01-echo:title");
	cr_assert_not_null(title);
	cr_expect_str_eq(title->id, "octal A hex B backslash \\");
	cr_expect_str_eq(title->str, "", "untranslated");
	po_file_done(&po);
	po_file_done(&po);   /* safe twice */
}

Test(po, marks_fuzzy_and_obsolete_entries)
{
	struct po_file po;
	char *err = NULL;
	cr_assert_eq(po_parse("t.po", sample, strlen(sample), &po, &err), 0, "%s", err);
	const struct po_entry *fuzzy = po_find(&po, "01-echo:step 2:say");
	cr_assert_not_null(fuzzy);
	cr_expect(fuzzy->fuzzy);
	cr_expect_null(po_find(&po, "01-echo:step 9:say"),
		       "an obsolete entry is not found as live");
	cr_expect(po.entries[4].obsolete);
	cr_expect_str_eq(po.entries[4].str, "没了");
	po_file_done(&po);
}

Test(po, reports_problems_with_file_and_line)
{
	const struct {
		const char *text, *message;
	} bad[] = {
		{ "msgid \"a\"\nmsgstr \"b\n", "t.po:2: a string without its closing quote" },
		{ "msgid \"a\"\n", "t.po:2: an entry needs msgid and msgstr" },
		{ "msgid \"a\\q\"\nmsgstr \"\"\n", "t.po:1: unknown escape '\\q'" },
		{ "msgid \"a\"\nmsgstr \"b\"\nbogus\n",
		  "t.po:3: expected msgctxt, msgid, msgstr, a string or a comment" },
		{ "\"stray\"\n", "t.po:1: a string outside msgid, msgstr or msgctxt" },
		{ "msgid \"a\" x\nmsgstr \"\"\n", "t.po:1: text after a string's closing quote" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct po_file po;
		char *err = NULL;
		cr_expect_eq(po_parse("t.po", bad[i].text, strlen(bad[i].text), &po, &err), -1,
			     "%s", bad[i].text);
		cr_expect_str_eq(err ? err : "(none)", bad[i].message);
		cr_expect_eq(po.count, 0);
		free(err);
	}
}

Test(po, reads_plural_forms_keeping_the_first)
{
	const char text[] =
		"msgid \"one\"\nmsgid_plural \"many\"\nmsgstr[0] \"一\"\nmsgstr[1] \"多\"\n";
	struct po_file po;
	char *err = NULL;
	cr_assert_eq(po_parse("t.po", text, strlen(text), &po, &err), 0, "%s", err);
	cr_assert_eq(po.count, 1);
	cr_expect_str_eq(po.entries[0].str, "一");
	po_file_done(&po);
}

/* Found by fuzz_po: "msgstr[1" at the very end of the input was read past. */
Test(po, stops_at_the_end_of_input_inside_msgstr_n)
{
	const char text[] = "msgid \"one\"\nmsgid_plural \"ma\"\nmsgstr[1";
	char *copy = malloc(sizeof text - 1);   /* no NUL after it, as a file read into a buffer */
	cr_assert_not_null(copy);
	memcpy(copy, text, sizeof text - 1);
	struct po_file po;
	char *err = NULL;
	cr_expect_eq(po_parse("t.po", copy, sizeof text - 1, &po, &err), -1);
	cr_expect_str_eq(err, "t.po:3: expected msgstr[N]");
	free(err);
	free(copy);
}

/* Found by fuzz_po: a long \x run overflowed; C keeps its low byte. */
Test(po, keeps_the_low_byte_of_a_long_hex_escape)
{
	const char text[] = "msgid \"\\x141\\x7DFFFFFFFFFFFFFFFFFFFFFFFFFFFFF42\"\nmsgstr \"\"\n";
	struct po_file po;
	char *err = NULL;
	cr_assert_eq(po_parse("t.po", text, sizeof text - 1, &po, &err), 0, "%s", err);
	cr_expect_str_eq(po.entries[0].id, "AB");
	po_file_done(&po);
}

/* Found by fuzz_po: each "#~" of a line recursed, and a long line of them
 * overflowed the stack. */
Test(po, reads_any_number_of_obsolete_marks_on_a_line)
{
	size_t marks = 200000;
	char *text = malloc(marks * 2 + 64);
	cr_assert_not_null(text);
	for (size_t i = 0; i < marks; i++)
		memcpy(text + 2 * i, "#~", 2);
	size_t len = marks * 2;
	len += (size_t)sprintf(text + len, " msgid \"a\"\n#~ msgstr \"b\"\n");
	struct po_file po;
	char *err = NULL;
	cr_assert_eq(po_parse("t.po", text, len, &po, &err), 0, "%s", err);
	cr_assert_eq(po.count, 1);
	cr_expect(po.entries[0].obsolete);
	cr_expect_str_eq(po.entries[0].str, "b");
	po_file_done(&po);
	free(text);
}

Test(po, writes_strings_that_it_reads_back)
{
	const char *const texts[] = { "one line", "two\nlines \"quoted\" \\ and\ttab",
				      "ends with newline\n", "" };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *written = NULL;
		size_t size = 0;
		FILE *out = open_memstream(&written, &size);
		cr_assert_not_null(out);
		po_write_string(out, "msgid", texts[i]);
		fputs("msgstr \"\"\n", out);
		fclose(out);
		struct po_file po;
		char *err = NULL;
		cr_assert_eq(po_parse("t.po", written, size, &po, &err), 0, "%s: %s", written, err);
		cr_assert_eq(po.count, 1);
		cr_expect_str_eq(po.entries[0].id, texts[i], "%s", written);
		po_file_done(&po);
		free(written);
	}
}

Test(po, a_missing_file_is_enoent_without_a_message)
{
	struct po_file po;
	char *err = NULL;
	cr_expect_eq(po_load("/nonexistent/zh_CN/x.po", &po, &err), -1);
	cr_expect_null(err);
}
