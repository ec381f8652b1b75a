/* words: a command line split with a shell's quoting and nothing
 * expanded, and shown back so a shell would split it the same. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "words.h"

static void assert_split(const char *command, const char *base_dir, const char *const *expected)
{
	struct words words;
	char *err = NULL;
	cr_assert_eq(words_split(&words, command, base_dir, &err, NULL), 0, "%s: %s", command, err);
	int count = 0;
	while (expected[count])
		count++;
	cr_assert_eq(words.count, count, "%s: %d words", command, words.count);
	for (int i = 0; i < count; i++)
		cr_expect_str_eq(words.argv[i], expected[i], "%s: word %d", command, i);
	cr_expect_null(words.argv[count]);
	words_done(&words);
}

static void assert_refused(const char *command, size_t column, const char *message)
{
	struct words words;
	char *err = NULL;
	size_t at = 0;
	cr_assert_eq(words_split(&words, command, NULL, &err, &at), -1, "%s was accepted", command);
	cr_expect_str_eq(err, message, "%s", command);
	cr_expect_eq(at, column, "%s: column %zu", command, at);
	cr_expect_eq(words.count, 0);
	free(err);
}

Test(words, splits_at_blanks_and_keeps_quoted_text_as_it_is)
{
	assert_split("python3  ../examples/echo-server.py\t--port 65432", NULL,
		     (const char *const[]){ "python3", "../examples/echo-server.py", "--port",
					    "65432", NULL });
	assert_split("sh -c 'echo ${IFS} > file; ls | wc'", NULL,
		     (const char *const[]){ "sh", "-c", "echo ${IFS} > file; ls | wc", NULL });
	assert_split("printf \"a \\\"b\\\" \\\\ \\$ c\" x\\ y ''", NULL,
		     (const char *const[]){ "printf", "a \"b\" \\ $ c", "x y", "", NULL });
	assert_split("a'b'\"c\"d", NULL, (const char *const[]){ "abcd", NULL });
}

Test(words, refuses_what_a_shell_would_expand_or_redirect)
{
	/* The example: blanks-only splitting passed it to sh whole. */
	assert_refused("sh -c echo${IFS}owned>file", 11,
		       "'$' means nothing here: no shell runs the command (quote it, '$', to pass "
		       "it as it is)");
	assert_refused("cat x > y", 7,
		       "'>' means nothing here: no shell runs the command (quote it, '>', to pass "
		       "it as it is)");
	assert_refused("a;b", 2,
		       "';' means nothing here: no shell runs the command (quote it, ';', to pass "
		       "it as it is)");
	assert_refused("ls *.py", 4,
		       "'*' means nothing here: no shell runs the command (quote it, '*', to pass "
		       "it as it is)");
	assert_refused("cat ~/x", 5,
		       "'~' means nothing here: no shell runs the command (quote it, '~', to pass "
		       "it as it is)");
	assert_refused("echo `id`", 6,
		       "'`' means nothing here: no shell runs the command (quote it, '`', to pass "
		       "it as it is)");
	assert_refused("echo \"$HOME\"", 7,
		       "'$' in double quotes is not expanded: no shell runs the command (single "
		       "quotes pass it as it is)");
}

Test(words, refuses_open_quotes_control_bytes_and_empty_commands)
{
	assert_refused("sh -c 'echo", 7, "a quote ' is not closed");
	assert_refused("echo \"x", 6, "a quote \" is not closed");
	assert_refused("echo x\\", 7, "a backslash at the end escapes nothing");
	assert_refused("echo \x1b[2J", 6, "a control byte in the command");
	assert_refused("echo '\x1b'", 7, "a control byte in the command");
	assert_refused("echo 'a\tb'", 8, "a control byte in the command");
	assert_refused("echo \\\x7f", 7, "a control byte in the command");
	assert_refused("   ", 1, "an empty command");
	assert_refused("", 1, "an empty command");
	char many[200] = "";
	for (int i = 0; i < WORDS_MAX + 1; i++)
		strcat(many, "a ");
	assert_refused(many, 65, "more than 32 words in the command");
}

Test(words, names_relative_words_from_the_base_directory)
{
	assert_split("python3 ../examples/echo-server.py ./data x/y", "/course/lessons",
		     (const char *const[]){ "python3", "/course/lessons/../examples/echo-server.py",
					    "/course/lessons/./data", "x/y", NULL });
}

Test(words, shows_words_as_a_shell_would_split_them_back)
{
	struct words words;
	char *err = NULL;
	cr_assert_eq(words_split(&words, "sh -c 'echo${IFS}owned>file' \"it's\" plain-word_1.py ''",
				 NULL, &err, NULL),
		     0);
	char *shown = words_show(&words);
	cr_expect_str_eq(shown, "sh -c 'echo${IFS}owned>file' 'it'\\''s' plain-word_1.py ''");
	free(shown);
	words_done(&words);
	/* Bytes a terminal might not show as themselves: $'...' with \xHH. */
	cr_assert_eq(words_split(&words, "echo caf\xc3\xa9 'it''s'", NULL, &err, NULL), 0);
	shown = words_show(&words);
	cr_expect_str_eq(shown, "echo $'caf\\xc3\\xa9' its");
	free(shown);
	words_done(&words);
	words_done(&words);   /* safe twice */
}
