/* Tests of progress: records survive a save and a load, a save killed at
 * any moment leaves the old file or the new one, an unusable file is set
 * aside with one line of warning, the directory follows XDG_STATE_HOME,
 * two socklabs saving at once keep each other's lessons, and
 * `socklab progress` prints one line a lesson.
 *
 * Every test works in its own directory under /tmp. Tests that need a
 * directory the process cannot write run a child as nobody when the tests
 * run as root (root writes everywhere).
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* ---- helpers ---------------------------------------------------------- */

/* A fresh directory that nobody may enter (for the unprivileged tests). */
static char *make_temp_dir(void)
{
	char *dir = strdup("/tmp/socklab-progress-XXXXXX");
	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	cr_assert_eq(chmod(dir, 0755), 0);
	return dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static void remove_tree(char *dir)
{
	chmod(dir, 0700);   /* a test may have made it read-only */
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *join(const char *dir, const char *name)
{
	char *path;
	cr_assert_geq(asprintf(&path, "%s/%s", dir, name), 0);
	return path;
}

static void write_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	fputs(text, file);
	cr_assert_eq(fclose(file), 0);
}

static char *read_text(const char *path)
{
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t size = 0;
	if (getdelim(&text, &size, '\0', file) < 0) {
		cr_assert(feof(file), "%s: %s", path, strerror(errno));
		free(text);
		text = strdup("");   /* an empty file */
	}
	fclose(file);
	return text;
}

/* The names in dir that start with `prefix`: how many, and the first. */
static size_t count_named(const char *dir, const char *prefix, char **first)
{
	DIR *scan = opendir(dir);
	cr_assert_not_null(scan);
	size_t count = 0;
	struct dirent *entry;
	if (first)
		*first = NULL;
	while ((entry = readdir(scan))) {
		if (strncmp(entry->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (first && !*first)
			*first = join(dir, entry->d_name);
		count++;
	}
	closedir(scan);
	return count;
}

static struct progress *load_quietly(const char *dir)
{
	struct progress *progress = NULL;
	char *warning = NULL, *err = NULL;
	cr_assert_eq(progress_load(&progress, dir, &warning, &err), 0, "load: %s", err ? err : "");
	cr_assert_null(warning, "unexpected warning: %s", warning ? warning : "");
	return progress;
}

static void save(struct progress *progress)
{
	char *warning = NULL, *err = NULL;
	cr_assert_eq(progress_save(progress, &warning, &err), 0, "save: %s", err ? err : "");
	cr_assert_null(warning, "unexpected warning: %s", warning ? warning : "");
}

static void record_step(struct progress *progress, const char *lesson, size_t steps, size_t total)
{
	char *err = NULL;
	cr_assert_eq(progress_record_step(progress, lesson, steps, total, 0, &err), 0, "%s",
		     err ? err : "");
}

/* Runs body(dir, fd) in a child that cannot write where this process can
 * (as nobody when we are root); returns what it wrote to fd. */
static char *run_unprivileged(void (*body)(const char *dir, int fd), const char *dir)
{
	int channel[2];
	cr_assert_eq(pipe(channel), 0);
	fflush(NULL);
	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(channel[0]);
		if (geteuid() == 0
		    && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		body(dir, channel[1]);
		_exit(0);
	}
	close(channel[1]);
	char *said = calloc(1, 4096);
	cr_assert_not_null(said);
	size_t len = 0;
	ssize_t n;
	while ((n = read(channel[0], said + len, 4095 - len)) > 0)
		len += (size_t)n;
	close(channel[0]);
	int status;
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "the unprivileged child failed (status %d)", status);
	return said;
}

static void tell(int fd, const char *text)
{
	if (text && write(fd, text, strlen(text)) < 0)
		_exit(4);
}

/* ---- a round trip ---------------------------------------------------------- */

Test(progress, keeps_every_field_through_a_save_and_a_load)
{
	char *root = make_temp_dir();
	char *dir = join(root, "state/socklab");
	struct progress *progress = load_quietly(dir);
	cr_assert_eq(progress_count(progress), 0);
	record_step(progress, "01-echo", 16, 16);
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 12, 16, NULL), 0);
	record_step(progress, "02-socket", 4, 9);
	time_t before = time(NULL);
	save(progress);
	progress_free(progress);

	progress = load_quietly(dir);
	cr_assert_eq(progress_count(progress), 2);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_str_eq(entry.name, "01-echo");
	cr_assert_eq(entry.steps_reached, 16);
	cr_assert_eq(entry.total_steps, 16);
	cr_assert(entry.done);
	cr_assert_eq(entry.quiz_right, 12);
	cr_assert_eq(entry.quiz_asked, 16);
	cr_assert_eq(entry.last_step, 16);
	cr_assert_geq(entry.updated, (int64_t)before - 2);
	cr_assert(progress_get(progress, "02-socket", &entry));
	cr_assert_eq(entry.steps_reached, 4);
	cr_assert_eq(entry.total_steps, 9);
	cr_assert_not(entry.done);
	cr_assert_eq(entry.quiz_asked, 0);
	cr_assert_eq(entry.last_step, 4);
	cr_assert_not(progress_get(progress, "03-bind", &entry));
	progress_free(progress);

	/* Made private: the directories made 0700, the file 0600. */
	struct stat st;
	char *state = join(root, "state");
	cr_assert_eq(stat(state, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	char *file = join(dir, PROGRESS_FILE);
	cr_assert_eq(stat(file, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* Nothing temporary is left behind. */
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".tmp-", NULL), 0);
	free(file);
	free(state);
	free(dir);
	remove_tree(root);
}

Test(progress, writes_the_documented_format)
{
	char *dir = make_temp_dir();
	struct progress *progress = load_quietly(dir);
	record_step(progress, "01-echo", 3, 16);
	save(progress);
	progress_free(progress);
	char *file = join(dir, PROGRESS_FILE);
	char *text = read_text(file);
	cr_assert(strstr(text, "\"format\": \"socklab-progress\""), "%s", text);
	cr_assert(strstr(text, "\"version\": 1"), "%s", text);
	cr_assert(strstr(text, "\"01-echo\": {"), "%s", text);
	cr_assert(strstr(text, "\"steps_reached\": 3"), "%s", text);
	cr_assert(strstr(text, "\"done\": false"), "%s", text);
	free(text);
	free(file);
	remove_tree(dir);
}

Test(progress, keeps_the_most_steps_reached_and_done_once_done)
{
	struct progress *progress;
	cr_assert_eq(progress_new(&progress, "/nonexistent/socklab", NULL), 0);
	record_step(progress, "01-echo", 10, 16);
	record_step(progress, "01-echo", 16, 16);
	record_step(progress, "01-echo", 2, 16);   /* stepped again, from the start */
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.steps_reached, 16);
	cr_assert_eq(entry.last_step, 2, "where to continue is where the student left");
	cr_assert(entry.done, "done stays done");
	record_step(progress, "02-socket", 0, 0);
	cr_assert(progress_get(progress, "02-socket", &entry));
	cr_assert_not(entry.done, "a lesson with no steps is never done by stepping none");
	progress_free(progress);
}

Test(progress, replaces_the_quiz_score_with_the_latest)
{
	struct progress *progress;
	cr_assert_eq(progress_new(&progress, "/nonexistent/socklab", NULL), 0);
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 9, 10, NULL), 0);
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 1, 2, NULL), 0);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.quiz_right, 1);
	cr_assert_eq(entry.quiz_asked, 2);
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 0, 0, NULL), 0);
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.quiz_asked, 2, "a quiz with nothing asked keeps the last score");
	char *err = NULL;
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 3, 2, &err), -1);
	cr_assert_not_null(err);
	free(err);
	progress_free(progress);
}

Test(progress, refuses_names_it_cannot_store)
{
	struct progress *progress;
	cr_assert_eq(progress_new(&progress, "/nonexistent/socklab", NULL), 0);
	char long_name[PROGRESS_NAME_MAX + 1];
	memset(long_name, 'a', PROGRESS_NAME_MAX);
	long_name[PROGRESS_NAME_MAX] = '\0';
	const char *bad[] = { "",
			      long_name,
			      "bell\a",
			      "latin1-\xe9",
			      "overlong-\xc0\xaf",
			      "surrogate-\xed\xa0\x80",
			      "cut-\xe2\x82" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *err = NULL;
		cr_assert_eq(progress_record_step(progress, bad[i], 1, 2, 0, &err), -1,
			     "name %zu accepted", i);
		cr_assert_not_null(err);
		free(err);
	}
	long_name[PROGRESS_NAME_MAX - 1] = '\0';
	record_step(progress, long_name, 1, 2);
	record_step(progress, "01-\xc3\xa9" "cho", 1, 2);   /* UTF-8 is fine */
	cr_assert_eq(progress_count(progress), 2);
	progress_free(progress);
}

Test(progress, does_nothing_without_a_progress)
{
	cr_assert_eq(progress_record_step(NULL, "01-echo", 1, 2, 0, NULL), 0);
	cr_assert_eq(progress_record_quiz(NULL, "01-echo", 1, 2, NULL), 0);
	cr_assert_eq(progress_save(NULL, NULL, NULL), 0);
	struct progress_entry entry;
	cr_assert_not(progress_get(NULL, "01-echo", &entry));
	cr_assert_not(progress_latest(NULL, &entry));
	progress_free(NULL);
}

Test(progress, says_which_lesson_was_updated_last)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	write_text(file,
		   "{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": {\"01-echo\": "
		   "{\"steps_reached\": 16, \"total_steps\": 16, \"done\": true, \"quiz_right\": "
		   "0, \"quiz_asked\": 0, \"last_step\": 16, \"updated\": 1000},\"02-socket\": "
		   "{\"steps_reached\": 3, \"total_steps\": 9, \"done\": false, \"quiz_right\": 0, "
		   "\"quiz_asked\": 0, \"last_step\": 3, \"updated\": 2000}}}");
	struct progress *progress = load_quietly(dir);
	struct progress_entry entry;
	cr_assert(progress_latest(progress, &entry));
	cr_assert_str_eq(entry.name, "02-socket");
	cr_assert_eq(entry.last_step, 3);
	record_step(progress, "01-echo", 5, 16);   /* now, so later than 2000 */
	cr_assert(progress_latest(progress, &entry));
	cr_assert_str_eq(entry.name, "01-echo");
	progress_free(progress);
	free(file);
	remove_tree(dir);
}

/* ---- where it lives ---------------------------------------------------------- */

Test(progress_dir, follows_xdg_state_home)
{
	setenv("XDG_STATE_HOME", "/somewhere/state", 1);
	struct progress *progress;
	cr_assert_eq(progress_new(&progress, NULL, NULL), 0);
	cr_assert_str_eq(progress_dir(progress), "/somewhere/state/socklab");
	progress_free(progress);
}

Test(progress_dir, is_under_home_without_xdg_state_home)
{
	char *home = make_temp_dir();
	setenv("HOME", home, 1);
	unsetenv("XDG_STATE_HOME");
	struct progress *progress = load_quietly(NULL);
	char *expected = join(home, ".local/state/socklab");
	cr_assert_str_eq(progress_dir(progress), expected);
	record_step(progress, "01-echo", 1, 16);
	save(progress);
	progress_free(progress);
	char *file = join(expected, PROGRESS_FILE);
	cr_assert_eq(access(file, R_OK), 0, "%s was not written", file);
	struct stat st;
	char *local = join(home, ".local");
	cr_assert_eq(stat(local, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700, "made directories are private");
	free(local);
	free(file);
	free(expected);
	remove_tree(home);
}

Test(progress_dir, ignores_a_relative_or_empty_xdg_state_home)
{
	setenv("HOME", "/home/student", 1);
	const char *ignored[] = { "", "relative/state" };
	for (size_t i = 0; i < 2; i++) {
		setenv("XDG_STATE_HOME", ignored[i], 1);
		struct progress *progress;
		cr_assert_eq(progress_new(&progress, NULL, NULL), 0);
		cr_assert_str_eq(progress_dir(progress), "/home/student/.local/state/socklab");
		progress_free(progress);
	}
}

Test(progress_dir, is_a_clear_error_when_a_file_stands_in_its_way)
{
	char *root = make_temp_dir();
	char *blocker = join(root, "state");
	write_text(blocker, "not a directory\n");
	char *dir = join(blocker, "socklab");
	struct progress *progress = NULL;
	char *warning = NULL, *err = NULL;
	cr_assert_eq(progress_load(&progress, dir, &warning, &err), -1);
	cr_assert_null(progress);
	cr_assert_not_null(err);
	cr_assert(strstr(err, dir) && strstr(err, "Not a directory"), "%s", err);
	free(err);
	err = NULL;

	cr_assert_eq(progress_new(&progress, dir, NULL), 0);
	record_step(progress, "01-echo", 1, 16);
	cr_assert_eq(progress_save(progress, &warning, &err), -1);
	cr_assert_not_null(err);
	cr_assert(strstr(err, "cannot make the directory") && strstr(err, "Not a directory"), "%s",
		  err);
	free(err);
	progress_free(progress);
	free(dir);
	free(blocker);
	remove_tree(root);
}

static void save_into(const char *dir, int fd)
{
	struct progress *progress;
	char *warning = NULL, *err = NULL;
	if (progress_load(&progress, dir, &warning, &err) < 0 || warning) {
		tell(fd, "load failed");
		return;
	}
	progress_record_step(progress, "01-echo", 16, 16, 0, NULL);
	if (progress_save(progress, &warning, &err) == 0)
		tell(fd, "saved");
	else
		tell(fd, err);
	progress_free(progress);
}

Test(progress_dir, is_a_clear_error_when_it_cannot_be_written)
{
	char *dir = make_temp_dir();   /* 0755 and ours: nobody may read, not write */
	char *file = join(dir, PROGRESS_FILE);
	struct progress *progress = load_quietly(dir);
	record_step(progress, "01-echo", 3, 16);
	save(progress);
	progress_free(progress);
	char *before = read_text(file);
	cr_assert_eq(chmod(file, 0644), 0);   /* nobody may read it */
	if (geteuid() != 0)
		cr_assert_eq(chmod(dir, 0555), 0);

	char *said = run_unprivileged(save_into, dir);
	cr_assert(strstr(said, "cannot save progress") && strstr(said, dir)
			  && strstr(said, "Permission denied"),
		  "%s", said);
	char *after = read_text(file);
	cr_assert_str_eq(after, before, "a failed save leaves the file as it was");
	free(after);
	free(said);
	free(before);
	free(file);
	remove_tree(dir);
}

/* ---- an unusable file is set aside -------------------------------------------- */

/* Loads a dir whose progress.json is unusable: the load succeeds, warns in
 * one line, sets the file aside with its content, and starts afresh. */
static void check_set_aside(const char *dir, const char *original, const char *reason)
{
	struct progress *progress = NULL;
	char *warning = NULL, *err = NULL;
	cr_assert_eq(progress_load(&progress, dir, &warning, &err), 0, "load: %s", err ? err : "");
	cr_assert_not_null(warning, "no warning for a file that is %s", reason);
	cr_assert_null(strchr(warning, '\n'), "one line: %s", warning);
	cr_assert(strstr(warning, "set aside as") && strstr(warning, PROGRESS_FILE ".broken-"),
		  "%s", warning);
	cr_assert(strstr(warning, reason), "'%s' does not say '%s'", warning, reason);
	cr_assert_eq(progress_count(progress), 0);

	char *file = join(dir, PROGRESS_FILE);
	struct stat st;
	cr_assert_eq(lstat(file, &st), -1, "the unusable file is still in the way");
	char *aside;
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".broken-", &aside), 1);
	cr_assert(strstr(warning, aside), "the warning names %s: %s", aside, warning);
	if (original) {
		char *kept = read_text(aside);
		cr_assert_str_eq(kept, original, "set aside, not changed");
		free(kept);
	}
	/* And progress goes on. */
	record_step(progress, "01-echo", 1, 16);
	save(progress);
	progress_free(progress);
	progress = load_quietly(dir);
	cr_assert_eq(progress_count(progress), 1);
	progress_free(progress);
	free(aside);
	free(file);
	free(warning);
}

static void check_text_set_aside(const char *text, const char *reason)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	write_text(file, text);
	check_set_aside(dir, text, reason);
	free(file);
	remove_tree(dir);
}

#define LESSON_FIELDS(reached) \
	"\"steps_reached\": " reached ", \"total_steps\": 16, \"done\": false, \"quiz_right\": " \
				      "0, \"quiz_asked\": 0, \"last_step\": 1, \"updated\": 1"

Test(progress_broken, garbage_is_set_aside)
{
	check_text_set_aside("\x7f" "ELF\x02\x01\x01 garbage", "not JSON");
}

Test(progress_broken, truncated_json_is_set_aside)
{
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": {\"steps_re",
			     "not JSON");
}

Test(progress_broken, an_empty_file_is_set_aside)
{
	check_text_set_aside("", "empty");
}

Test(progress_broken, another_version_is_set_aside)
{
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 2, \"lessons\": {}}",
			     "version 2");
}

Test(progress_broken, foreign_json_is_set_aside)
{
	check_text_set_aside("{\"editor.fontSize\": 14}", "not a socklab progress file");
	check_text_set_aside("[1, 2, 3]", "not a socklab progress file");
}

Test(progress_broken, wrong_types_are_set_aside)
{
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": {" LESSON_FIELDS("\"sixteen\"") "}}}",
			     "'steps_reached'");
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": {" LESSON_FIELDS("-3") "}}}",
			     "'steps_reached'");
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": 16}}",
			     "not an object");
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": []}",
			     "'lessons'");
	check_text_set_aside(
		"{\"format\": \"socklab-progress\", \"version\": \"1\", \"lessons\": {}}",
		"version");
	check_text_set_aside(
		"{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": {\"01-echo\": "
		"{\"steps_reached\": 1, \"total_steps\": 16, \"done\": \"yes\", \"quiz_right\": 0, "
		"\"quiz_asked\": 0, \"last_step\": 1, \"updated\": 1}}}",
		"'done'");
	check_text_set_aside(
		"{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": {\"01-echo\": "
		"{\"steps_reached\": 1, \"total_steps\": 16, \"done\": false, \"quiz_right\": 5, "
		"\"quiz_asked\": 2, \"last_step\": 1, \"updated\": 1}}}",
		"more quiz answers right");
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": {\"steps_reached\": 1}}}",
			     "'total_steps' is missing");
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"\": {" LESSON_FIELDS("1") "}}}",
			     "lesson name");
}

Test(progress_broken, duplicate_lessons_are_set_aside)
{
	check_text_set_aside("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": "
			     "{\"01-echo\": {" LESSON_FIELDS("1") "}, \"01-echo\": {" LESSON_FIELDS(
				     "2") "}}}",
			     "duplicate");
}

Test(progress_broken, a_directory_in_its_place_is_set_aside)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	cr_assert_eq(mkdir(file, 0700), 0);
	char *inside = join(file, "keep-me");
	write_text(inside, "kept");
	check_set_aside(dir, NULL, "a directory");
	char *aside;
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".broken-", &aside), 1);
	char *moved = join(aside, "keep-me");
	char *kept = read_text(moved);
	cr_assert_str_eq(kept, "kept", "the directory moved whole");
	free(kept);
	free(moved);
	free(aside);
	free(inside);
	free(file);
	remove_tree(dir);
}

Test(progress_broken, a_fifo_in_its_place_is_set_aside_without_hanging)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	cr_assert_eq(mkfifo(file, 0600), 0);
	check_set_aside(dir, NULL, "not a regular file");
	free(file);
	remove_tree(dir);
}

static void load_unreadable(const char *dir, int fd)
{
	struct progress *progress;
	char *warning = NULL, *err = NULL;
	if (progress_load(&progress, dir, &warning, &err) < 0) {
		tell(fd, "error: ");
		tell(fd, err);
		return;
	}
	tell(fd, warning ? warning : "no warning");
	progress_free(progress);
}

Test(progress_broken, an_unreadable_file_is_set_aside)
{
	char *dir = make_temp_dir();
	cr_assert_eq(chmod(dir, 0777), 0);   /* nobody may rename in it */
	char *file = join(dir, PROGRESS_FILE);
	write_text(file, "{}");
	cr_assert_eq(chmod(file, 0), 0);
	char *said = run_unprivileged(load_unreadable, dir);
	cr_assert(strstr(said, "cannot open it: Permission denied") && strstr(said, "set aside as"),
		  "%s", said);
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".broken-", NULL), 1);
	cr_assert_eq(access(file, F_OK), -1);
	free(said);
	free(file);
	remove_tree(dir);
}

Test(progress_broken, never_overwrites_an_earlier_broken_file)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	const char *texts[] = { "first", "second", "third" };
	for (size_t i = 0; i < 3; i++) {
		write_text(file, texts[i]);
		struct progress *progress = NULL;
		char *warning = NULL;
		cr_assert_eq(progress_load(&progress, dir, &warning, NULL), 0);
		cr_assert_not_null(warning);
		free(warning);
		progress_free(progress);
	}
	/* Most likely within one second: the names differ all the same. */
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".broken-", NULL), 3);
	free(file);
	remove_tree(dir);
}

Test(progress_broken, set_aside_by_a_save_is_reported_too)
{
	char *dir = make_temp_dir();
	struct progress *progress = load_quietly(dir);
	record_step(progress, "01-echo", 2, 16);
	char *file = join(dir, PROGRESS_FILE);
	write_text(file, "scribbled over meanwhile");
	char *warning = NULL, *err = NULL;
	cr_assert_eq(progress_save(progress, &warning, &err), 0, "%s", err ? err : "");
	cr_assert_not_null(warning);
	cr_assert(strstr(warning, "set aside"), "%s", warning);
	free(warning);
	progress_free(progress);
	progress = load_quietly(dir);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.steps_reached, 2);
	progress_free(progress);
	free(file);
	remove_tree(dir);
}

Test(progress_broken, is_an_error_when_it_cannot_be_set_aside)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	write_text(file, "garbage");
	cr_assert_eq(chmod(file, 0644), 0);
	if (geteuid() != 0)
		cr_assert_eq(chmod(dir, 0555), 0);
	/* nobody may not rename in a 0755 dir */
	char *said = run_unprivileged(load_unreadable, dir);
	cr_assert(strstr(said, "error: ") && strstr(said, "cannot be set aside")
			  && strstr(said, "Permission denied"),
		  "%s", said);
	char *kept = read_text(file);
	cr_assert_str_eq(kept, "garbage", "left untouched");
	free(kept);
	free(said);
	free(file);
	remove_tree(dir);
}

/* ---- a kill during a save ---------------------------------------------------- */

#define KILL_LESSONS 2000
#define KILL_TRIALS 24

/* Saves ever larger rounds of KILL_LESSONS lessons, all at step `round`,
 * and reports each round saved through `reports`. */
static void save_forever(const char *dir, int reports)
{
	struct progress *progress;
	char *warning = NULL, *err = NULL;
	if (progress_load(&progress, dir, &warning, &err) < 0 || warning)
		_exit(2);
	for (unsigned round = 1;; round++) {
		for (unsigned i = 0; i < KILL_LESSONS; i++) {
			char name[32];
			snprintf(name, sizeof name, "lesson-%04u", i);
			if (progress_record_step(progress, name, round, 100000, 0, NULL) < 0)
				_exit(2);
		}
		if (progress_save(progress, &warning, &err) < 0 || warning)
			_exit(2);
		if (write(reports, &round, sizeof round) != sizeof round)
			_exit(2);
	}
}

/* The size of the temporary file a save is writing, or -1 if none. */
static off_t temporary_size(const char *dir)
{
	char *path;
	off_t size = -1;
	if (count_named(dir, PROGRESS_FILE ".tmp-", &path) > 0) {
		struct stat st;
		if (stat(path, &st) == 0)
			size = st.st_size;
		free(path);
	}
	return size;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Waits, by watching the directory, for the moment `moment` of a save:
 * 0 at once, 1 a temporary file exists, 2 it is half written, 3 it is
 * whole (written, not yet renamed). Gives up after two seconds: the kill
 * then lands wherever the saver is. */
static bool wait_for_moment(const char *dir, int moment, off_t whole_size)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (moment == 0)
		return true;
	off_t wanted = moment == 1 ? 0 : moment == 2 ? whole_size / 2 : whole_size - 64;
	while (seconds_since(&start) < 2.0) {
		off_t size = temporary_size(dir);
		if (size >= wanted && (moment != 2 || size < whole_size - 64))
			return true;
	}
	return false;
}

Test(progress_save, leaves_the_old_file_or_the_new_one_when_killed, .timeout = 240)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	int caught = 0;
	for (int trial = 0; trial < KILL_TRIALS; trial++) {
		int reports[2];
		cr_assert_eq(pipe(reports), 0);
		fflush(NULL);
		pid_t child = fork();
		cr_assert_geq(child, 0);
		if (child == 0) {
			close(reports[0]);
			save_forever(dir, reports[1]);
		}
		close(reports[1]);
		/* Kill after a number of saves the child has reported, at a moment
		 * of the next save the directory shows. */
		unsigned wanted = 1 + (unsigned)trial % 3, round = 0, last = 0;
		while (round < wanted)
			cr_assert_eq(read(reports[0], &round, sizeof round), (ssize_t)sizeof round,
				     "the saver died");
		struct stat st;
		cr_assert_eq(stat(file, &st), 0);
		caught += wait_for_moment(dir, trial % 4, st.st_size);
		cr_assert_eq(kill(child, SIGKILL), 0);
		int status;
		cr_assert_eq(waitpid(child, &status, 0), child);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "the saver failed on its own (%d)", status);
		last = round;
		while (read(reports[0], &round, sizeof round) == (ssize_t)sizeof round)
			last = round;
		close(reports[0]);

		/* The last round reported is on disk, or the one after it that was
		 * renamed into place before the report went out; never a mix.
		 * (last_step is the round; steps_reached keeps earlier trials'.) */
		struct progress *progress = load_quietly(dir);
		cr_assert_eq(progress_count(progress), KILL_LESSONS, "trial %d", trial);
		size_t seen = progress_entry_at(progress, 0)->last_step;
		cr_assert(seen == last || seen == last + 1,
			  "trial %d: round %zu on disk, %u reported", trial, seen, last);
		for (size_t i = 0; i < KILL_LESSONS; i++)
			cr_assert_eq(progress_entry_at(progress, i)->last_step, seen,
				     "trial %d: a mixed file", trial);
		progress_free(progress);
	}
	cr_log_info("kills at the moment watched for: %d of %d", caught, KILL_TRIALS);
	/* A later save sweeps away the killed savers' temporary files. */
	struct progress *progress = load_quietly(dir);
	save(progress);
	progress_free(progress);
	cr_assert_eq(count_named(dir, PROGRESS_FILE ".tmp-", NULL), 0);
	free(file);
	remove_tree(dir);
}

/* ---- two socklabs at once ------------------------------------------------------- */

Test(progress_save, keeps_the_lessons_another_socklab_saved)
{
	char *dir = make_temp_dir();
	struct progress *first = load_quietly(dir);
	struct progress *second = load_quietly(dir);
	record_step(first, "01-echo", 16, 16);
	record_step(second, "01-echo", 3, 16);
	record_step(second, "02-socket", 4, 9);
	save(first);
	save(second);   /* after first: must not lose 01-echo's end */
	progress_free(first);
	progress_free(second);
	struct progress *progress = load_quietly(dir);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.steps_reached, 16);
	cr_assert(entry.done);
	cr_assert_eq(entry.last_step, 3, "the later run says where to continue");
	cr_assert(progress_get(progress, "02-socket", &entry));
	cr_assert_eq(entry.steps_reached, 4);
	progress_free(progress);
	remove_tree(dir);
}

Test(progress_save, takes_up_what_another_socklab_saved_since)
{
	char *dir = make_temp_dir();
	struct progress *mine = load_quietly(dir);
	struct progress *theirs = load_quietly(dir);
	record_step(theirs, "03-bind", 7, 7);
	save(theirs);
	record_step(mine, "01-echo", 1, 16);
	save(mine);
	struct progress_entry entry;
	cr_assert(progress_get(mine, "03-bind", &entry),
		  "a save brings in the file's other lessons");
	cr_assert(entry.done);
	progress_free(mine);
	progress_free(theirs);
	remove_tree(dir);
}

/* ---- reset ---------------------------------------------------------------------- */

Test(progress_reset, removes_the_file_and_minds_no_missing_one)
{
	char *dir = make_temp_dir();
	struct progress *progress = load_quietly(dir);
	record_step(progress, "01-echo", 16, 16);
	save(progress);
	progress_free(progress);
	char *err = NULL;
	cr_assert_eq(progress_reset(dir, &err), 0, "%s", err ? err : "");
	progress = load_quietly(dir);
	cr_assert_eq(progress_count(progress), 0);
	progress_free(progress);
	cr_assert_eq(progress_reset(dir, &err), 0, "nothing to reset is fine");
	char *missing = join(dir, "never-made");
	cr_assert_eq(progress_reset(missing, &err), 0, "no directory is fine");
	free(missing);
	remove_tree(dir);
}

Test(progress_reset, will_not_remove_a_directory_in_its_place)
{
	char *dir = make_temp_dir();
	char *file = join(dir, PROGRESS_FILE);
	cr_assert_eq(mkdir(file, 0700), 0);
	char *err = NULL;
	cr_assert_eq(progress_reset(dir, &err), -1);
	cr_assert_not_null(err);
	cr_assert(strstr(err, "cannot remove") && strstr(err, file), "%s", err);
	free(err);
	free(file);
	remove_tree(dir);
}

/* ---- socklab progress ------------------------------------------------------------ */

static char *print_to_string(const struct progress *progress, const struct progress_lesson *lessons,
			     size_t count)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	cr_assert_not_null(out);
	progress_print(out, progress, lessons, count);
	fclose(out);
	return text;
}

Test(progress_print, lists_every_lesson_started_or_not)
{
	struct progress *progress;
	cr_assert_eq(progress_new(&progress, "/nonexistent/socklab", NULL), 0);
	record_step(progress, "01-echo", 16, 16);
	cr_assert_eq(progress_record_quiz(progress, "01-echo", 12, 16, NULL), 0);
	record_step(progress, "02-socket", 4, 9);
	record_step(progress, "my-lesson", 2, 5);   /* run from a path: not in the list */
	const struct progress_lesson lessons[] = {
		{ "01-echo", 16 },
		{ "02-socket", 9 },
		{ "03-bind", 7 },
	};
	char *text = print_to_string(progress, lessons, 3);
	cr_assert_str_eq(text,
			 "01-echo    16/16 steps  done         quiz 12/16\n"
			 "02-socket   4/9  steps  in progress  quiz -\n"
			 "03-bind     0/7  steps  not started\n"
			 "my-lesson   2/5  steps  in progress  quiz -\n");
	free(text);
	progress_free(progress);
}

Test(progress, a_lesson_stepped_to_its_end_with_failures_is_tried_not_done)
{
	char *root = make_temp_dir();
	char *dir = join(root, "state/socklab");
	struct progress *progress = load_quietly(dir);
	char *err = NULL;
	cr_assert_eq(progress_record_step(progress, "08-closing", 20, 46, 1, &err), 0);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "08-closing", &entry));
	cr_assert_eq(entry.failed, 0, "not at its end yet: nothing tried");
	cr_assert_eq(progress_record_step(progress, "08-closing", 46, 46, 2, &err), 0);
	cr_assert(progress_get(progress, "08-closing", &entry));
	cr_assert_not(entry.done, "FAILED at the end is not done");
	cr_assert_eq(entry.failed, 2);
	save(progress);
	progress_free(progress);

	progress = load_quietly(dir);
	cr_assert(progress_get(progress, "08-closing", &entry));
	cr_assert_not(entry.done);
	cr_assert_eq(entry.failed, 2, "kept in the file");
	const struct progress_lesson lessons[] = { { "08-closing", 46 } };
	char *text = print_to_string(progress, lessons, 1);
	cr_assert_str_eq(text, "08-closing  46/46 steps  tried, 2 failed  quiz -\n");
	free(text);
	cr_assert_eq(progress_record_step(progress, "08-closing", 46, 46, 0, &err), 0);
	cr_assert(progress_get(progress, "08-closing", &entry));
	cr_assert(entry.done, "a clean run to the end is done");
	cr_assert_eq(entry.failed, 0);
	progress_free(progress);
	remove_tree(root);
	free(dir);
}

Test(progress, a_file_without_failed_reads_as_none_failed)
{
	char *root = make_temp_dir();
	char *dir = join(root, "socklab");
	cr_assert_eq(mkdir(dir, 0700), 0);
	char *file = join(dir, "progress.json");
	FILE *out = fopen(file, "w");
	cr_assert_not_null(out);
	fputs("{\"format\": \"socklab-progress\", \"version\": 1, \"lessons\": {\"01-echo\": "
	      "{\"steps_reached\": 16, \"total_steps\": 16, \"done\": false, \"quiz_right\": 0, "
	      "\"quiz_asked\": 0, \"last_step\": 16, \"updated\": 1}}}",
	      out);
	fclose(out);
	struct progress *progress = load_quietly(dir);
	struct progress_entry entry;
	cr_assert(progress_get(progress, "01-echo", &entry));
	cr_assert_eq(entry.failed, 0);
	progress_free(progress);
	remove_tree(root);
	free(file);
	free(dir);
}

Test(progress_print, shows_not_started_without_any_progress)
{
	const struct progress_lesson lessons[] = { { "01-echo", 16 }, { "12-wrong-orders", 30 } };
	char *text = print_to_string(NULL, lessons, 2);
	cr_assert_str_eq(text,
			 "01-echo          0/16 steps  not started\n"
			 "12-wrong-orders  0/30 steps  not started\n");
	free(text);
}
