/* Tests of help: `socklab help TOPIC` prints the man page's own sections,
 * as plain text, and the page it prints is doc/socklab.1 as it is now. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"

extern const unsigned char help_man_page[];

static char *read_file(const char *path)
{
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "%s", path);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	int c;
	while ((c = fgetc(file)) != EOF)
		fputc(c, out);
	fclose(out);
	fclose(file);
	return text;
}

/* What help_format_section prints for SECTION of PAGE; caller frees. */
static char *format(const char *page, const char *section, int *result)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	*result = help_format_section(out, page, section);
	fclose(out);
	return text;
}

/* What the shell command prints on stdout and stderr, with "exit N" last. */
static char *run_shell(const char *command)
{
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	int c;
	while ((c = fgetc(pipe)) != EOF)
		fputc(c, out);
	fclose(out);
	pclose(pipe);
	return text;
}

Test(help, prints_the_man_page_as_it_is_in_the_source_tree)
{
	char *source = read_file(SOURCE_DIR "/doc/socklab.1");
	cr_assert_str_eq((const char *)help_man_page, source,
			 "the embedded page differs from doc/socklab.1: re-run cmake");
	free(source);
}

Test(help, finds_every_topic_as_a_section_of_the_man_page)
{
	char *source = read_file(SOURCE_DIR "/doc/socklab.1");
	for (size_t i = 0; i < help_topic_count; i++) {
		char heading[128];
		snprintf(heading, sizeof heading, "\n.SH %s\n", help_topics[i].section);
		cr_expect(strstr(source, heading) != NULL,
			  "doc/socklab.1 has no section '%s' for topic '%s'",
			  help_topics[i].section, help_topics[i].name);
	}
	free(source);
}

Test(help, leaves_no_roff_in_any_topic_and_fits_78_columns)
{
	for (size_t i = 0; i < help_topic_count; i++) {
		char *text = NULL;
		size_t size = 0;
		FILE *out = open_memstream(&text, &size);
		char *err = NULL;
		cr_assert_eq(help_print_topic(out, help_topics[i].name, &err), 0, "%s: %s",
			     help_topics[i].name, err);
		fclose(out);
		size_t heading_len = strlen(help_topics[i].section);
		cr_expect(strncmp(text, help_topics[i].section, heading_len) == 0
				  && text[heading_len] == '\n',
			  "%s starts with its heading: %s", help_topics[i].name, text);
		cr_expect(strlen(text) > heading_len + 20, "%s has a body", help_topics[i].name);
		for (char *line = text; *line;) {
			size_t len = strcspn(line, "\n");
			size_t columns = 0;
			for (size_t k = 0; k < len; k++)
				columns += ((unsigned char)line[k] & 0xc0) != 0x80;
			cr_expect(columns <= 78, "%s: a line of %zu columns: %.*s",
				  help_topics[i].name, columns, (int)len, line);
			cr_expect(line[0] != '.', "%s: a roff request left: %.*s",
				  help_topics[i].name, (int)len, line);
			cr_expect(memchr(line, '\\', len) == NULL, "%s: an escape left: %.*s",
				  help_topics[i].name, (int)len, line);
			line += len + (line[len] == '\n');
		}
		free(text);
	}
}

Test(help, formats_the_requests_and_escapes_the_manual_uses)
{
	static const char page[] =
		".TH X 1\n"
		".SH NAME\n"
		"x\n"
		".SH \"EXIT STATUS\"\n"
		"Zero\n"
		"when \\fBevery\\fR expectation held,\n"
		".BR \\-\\-plain \" or\" ,\n"
		".IR LESSON .\n"
		".br\n"
		".B one \"two three\"\n"
		".PP\n"
		".nf\n"
		"    kept  as   it is\n"
		".fi\n"
		".TP\n"
		".BI run \" LESSON\"\n"
		"A word \\(dqquoted\\(dq and a\\ joined pair.\n"
		".SH FILES\n"
		"not this\n";
	int result;
	char *text = format(page, "EXIT STATUS", &result);
	cr_assert_eq(result, 0);
	cr_expect_str_eq(text,
			 "EXIT STATUS\n"
			 "  Zero when every expectation held, --plain or, LESSON.\n"
			 "  one two three\n"
			 "\n"
			 "      kept  as   it is\n"
			 "\n"
			 "  run LESSON\n"
			 "        A word \"quoted\" and a joined pair.\n");
	free(text);
	text = format(page, "SEE ALSO", &result);
	cr_expect_eq(result, -1);
	free(text);
}

Test(help, fills_long_paragraphs_at_78_columns)
{
	char page[4096] = ".SH LONG\n";
	for (int i = 0; i < 40; i++)
		strcat(page, "word ");
	strcat(page, "\n");
	int result;
	char *text = format(page, "LONG", &result);
	cr_assert_eq(result, 0);
	/* 2 columns of indent, then words of 4 and one space: 15 words fill 76. */
	cr_expect(strncmp(text,
			  "LONG\n  word word word word word word word word word word word word "
			  "word word word\n",
			  strlen("LONG\n  ") + 15 * 5) == 0,
		  "%s", text);
	free(text);
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t count = 0;
	for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
		count++;
	return count;
}

Test(help, lists_each_key_once)
{
	char *keys = run_shell("'" SOCKLAB_BINARY "' help keys 2>&1");
	/* "w: the ladder" fits one line wherever the paragraph breaks. */
	cr_expect_eq(occurrences(keys, "w: the ladder"), 1, "w listed once: %s", keys);
	free(keys);
}

Test(help, names_the_topics_when_one_is_unknown)
{
	char *err = NULL;
	FILE *out = fopen("/dev/null", "w");
	cr_assert_eq(help_print_topic(out, "nope", &err), -1);
	fclose(out);
	cr_expect_str_eq(err,
			 "no help topic 'nope' (topics: keys, lessons, exit, commands, options, "
			 "sandbox, environment)");
	free(err);
}

Test(help, socklab_help_prints_a_topic_and_refuses_an_unknown_one)
{
	char *keys = run_shell("'" SOCKLAB_BINARY "' help keys 2>&1; echo \"exit $?\"");
	cr_expect(strncmp(keys, "KEYS\n", 5) == 0, "%s", keys);
	cr_expect(strstr(keys, "\n  q: quit.\n") != NULL, "%s", keys);
	cr_expect(strstr(keys, "exit 0\n") != NULL, "%s", keys);
	free(keys);
	char *exit_status = run_shell("'" SOCKLAB_BINARY "' help exit 2>&1; echo \"exit $?\"");
	cr_expect(strstr(exit_status, "2 on bad usage or bad") != NULL, "%s", exit_status);
	free(exit_status);
	char *unknown =
		run_shell("'" SOCKLAB_BINARY "' help nope 2>&1 >/dev/null; echo \"exit $?\"");
	cr_expect_str_eq(unknown,
			 "socklab: no help topic 'nope' (topics: keys, lessons, exit, commands, "
			 "options, sandbox, environment)\nexit 2\n");
	free(unknown);
	char *usage = run_shell("'" SOCKLAB_BINARY "' help 2>&1; echo \"exit $?\"");
	cr_expect(strstr(usage, "\nhelp topics:\n  keys ") != NULL, "%s", usage);
	free(usage);
}
