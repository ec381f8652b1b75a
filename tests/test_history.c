/* Tests of history (lab/tui/history.c): free play's typed lines in memory
 * and in a file under a fresh temporary directory. No curses, no terminal.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"

static char directory[64];

static void make_directory(void)
{
	snprintf(directory, sizeof directory, "/tmp/socklab-history-XXXXXX");
	cr_assert_not_null(mkdtemp(directory));
}

static void remove_directory(void)
{
	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", directory);
	cr_assert_eq(system(command), 0);
}

TestSuite(history, .init = make_directory, .fini = remove_directory);

static char *path_in(const char *name)
{
	char *path = NULL;
	cr_assert_geq(asprintf(&path, "%s/%s", directory, name), 0);
	return path;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	cr_assert_eq(fwrite(text, 1, len, file), len);
	cr_assert_eq(fclose(file), 0);
}

static size_t count_lines(const char *path)
{
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "%s", path);
	size_t lines = 0;
	for (int c; (c = fgetc(file)) != EOF;)
		lines += c == '\n';
	fclose(file);
	return lines;
}

Test(history, starts_empty_when_the_file_does_not_exist)
{
	struct history history;
	char *err = NULL;
	char *path = path_in("none");
	cr_assert_eq(history_load(&history, path, &err), 0, "%s", err);
	cr_assert_eq(history.count, 0);
	history_done(&history);
	history_done(&history); /* safe twice */
	free(path);
}

Test(history, keeps_lines_in_memory_without_a_path)
{
	struct history history;
	char *err = NULL;
	cr_assert_eq(history_load(&history, NULL, &err), 0);
	cr_assert_eq(history_add(&history, "ls = socket(AF_INET, SOCK_STREAM)", &err), 0);
	cr_assert_eq(history.count, 1);
	cr_assert_str_eq(history.lines[0], "ls = socket(AF_INET, SOCK_STREAM)");
	history_done(&history);
}

Test(history, skips_empty_lines_and_a_repeat_of_the_last)
{
	struct history history;
	char *err = NULL;
	cr_assert_eq(history_load(&history, NULL, &err), 0);
	cr_assert_eq(history_add(&history, "listen(ls, 5)", &err), 0);
	cr_assert_eq(history_add(&history, "listen(ls, 5)", &err), 0);
	cr_assert_eq(history_add(&history, "", &err), 0);
	cr_assert_eq(history_add(&history, "close(ls)", &err), 0);
	cr_assert_eq(history_add(&history, "listen(ls, 5)", &err), 0);
	cr_assert_eq(history.count, 3);
	cr_assert_str_eq(history.lines[2], "listen(ls, 5)");
	history_done(&history);
}

Test(history, appends_to_the_file_and_reads_it_back_in_order)
{
	struct history history;
	char *err = NULL;
	/* The directories on the way are made, the user's alone. */
	char *path = path_in("state/socklab/history");
	cr_assert_eq(history_load(&history, path, &err), 0, "%s", err);
	cr_assert_eq(history_add(&history, "first", &err), 0, "%s", err);
	cr_assert_eq(history_add(&history, "second", &err), 0, "%s", err);
	history_done(&history);
	struct stat status;
	cr_assert_eq(stat(path, &status), 0);
	cr_assert_eq(status.st_mode & 0777, 0600);
	char *parent = path_in("state/socklab");
	cr_assert_eq(stat(parent, &status), 0);
	cr_assert_eq(status.st_mode & 0777, 0700);
	cr_assert_eq(history_load(&history, path, &err), 0, "%s", err);
	cr_assert_eq(history.count, 2);
	cr_assert_str_eq(history.lines[0], "first");
	cr_assert_str_eq(history.lines[1], "second");
	history_done(&history);
	free(parent);
	free(path);
}

Test(history, skips_lines_that_are_not_typed_lines)
{
	struct history history;
	char *err = NULL;
	char *path = path_in("history");
	static char text[8192];
	size_t len = 0;
	len += (size_t)sprintf(text + len, "one\r\n\n");
	memcpy(text + len, "a\0b\n", 4); /* a NUL inside */
	len += 4;
	memset(text + len, 'x', 5000); /* longer than anyone types */
	len += 5000;
	text[len++] = '\n';
	len += (size_t)sprintf(text + len, "two\n");
	write_file(path, text, len);
	cr_assert_eq(history_load(&history, path, &err), 0, "%s", err);
	cr_assert_eq(history.count, 2);
	cr_assert_str_eq(history.lines[0], "one");
	cr_assert_str_eq(history.lines[1], "two");
	history_done(&history);
	free(path);
}

Test(history, keeps_the_last_lines_and_cuts_the_file_to_them)
{
	struct history history;
	char *err = NULL;
	char *path = path_in("history");
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file);
	for (int i = 0; i < HISTORY_KEEP + 20; i++)
		fprintf(file, "line %d\n", i);
	cr_assert_eq(fclose(file), 0);
	cr_assert_eq(history_load(&history, path, &err), 0, "%s", err);
	cr_assert_eq(history.count, HISTORY_KEEP);
	cr_assert_str_eq(history.lines[0], "line 20");
	cr_assert_eq(count_lines(path), HISTORY_KEEP);
	/* One more pushes the oldest out of memory. */
	cr_assert_eq(history_add(&history, "newest", &err), 0, "%s", err);
	cr_assert_eq(history.count, HISTORY_KEEP);
	cr_assert_str_eq(history.lines[0], "line 21");
	cr_assert_str_eq(history.lines[HISTORY_KEEP - 1], "newest");
	history_done(&history);
	free(path);
}

Test(history, reports_a_file_it_cannot_read_and_stays_usable)
{
	struct history history;
	char *err = NULL;
	/* A directory where the file should be: read fails with EISDIR. */
	char *path = path_in("history");
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(history_load(&history, path, &err), -1);
	cr_assert_not_null(err);
	cr_assert(strncmp(err, "history skipped", 15) == 0, "%s", err);
	free(err);
	err = NULL;
	cr_assert_eq(history.count, 0);
	/* Writing fails too, but memory keeps the line. */
	cr_assert_eq(history_add(&history, "kept", &err), -1);
	cr_assert(strncmp(err, "history not kept", 16) == 0, "%s", err);
	free(err);
	cr_assert_eq(history.count, 1);
	history_done(&history);
	free(path);
}

Test(history, lives_under_xdg_state_home_or_home)
{
	char *saved_state = getenv("XDG_STATE_HOME") ? strdup(getenv("XDG_STATE_HOME")) : NULL;
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("XDG_STATE_HOME", "/state", 1);
	setenv("HOME", "/home/student", 1);
	char *path = history_default_path();
	cr_assert_str_eq(path, "/state/socklab/history");
	free(path);
	/* A relative XDG_STATE_HOME is invalid (the XDG spec): HOME instead. */
	setenv("XDG_STATE_HOME", "relative", 1);
	path = history_default_path();
	cr_assert_str_eq(path, "/home/student/.local/state/socklab/history");
	free(path);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	cr_assert_null(history_default_path());
	if (saved_state)
		setenv("XDG_STATE_HOME", saved_state, 1);
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_state);
	free(saved_home);
}
