/* lessons — where the lessons are, and LESSON as the student names it. */
#include "lesson_po.h"
#include "lessons.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "consent.h"

bool lessons_is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where socklab's own lessons are: beside an installed binary, the
 * source tree of a build, the configured install path. */
const char *lessons_shipped_dir(void)
{
	static char found[PATH_MAX];
	char exe[PATH_MAX - 64];   /* leaves room for the suffix below */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof found, "%s/../share/socklab/lessons", exe);
			if (lessons_is_directory(found))
				return found;
		}
	}
	if (lessons_is_directory(SOCKLAB_SOURCE_LESSON_DIR))
		return SOCKLAB_SOURCE_LESSON_DIR;
	return SOCKLAB_LESSON_DIR;
}

/* Where the lessons are: $SOCKLAB_LESSONS, else socklab's own. */
const char *lessons_dir(void)
{
	const char *env = getenv("SOCKLAB_LESSONS");
	return env && *env ? env : lessons_shipped_dir();
}

/* A lesson shipped with socklab starts its programs unasked; any other
 * (one in $SOCKLAB_LESSONS elsewhere, a path) only with consent (consent.h). */
bool lessons_is_shipped(const char *path)
{
	const char *const dirs[] = { lessons_shipped_dir(), SOCKLAB_LESSON_DIR };
	return consent_is_shipped(path, dirs, sizeof dirs / sizeof dirs[0]);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lesson files of the lesson directory, sorted; caller frees. NULL
 * with errno ENOMEM when out of memory (not a short list). */
char **lessons_list(size_t *count)
{
	const char *dir_path = lessons_dir();
	*count = 0;
	DIR *dir = opendir(dir_path);
	if (!dir) {
		if (errno != ENOMEM)
			errno = 0;   /* no directory: no lessons */
		return NULL;
	}
	char **paths = NULL;
	size_t capacity = 0;
	struct dirent *entry;
	while ((entry = readdir(dir))) {
		size_t len = strlen(entry->d_name);
		if (len < 8 || strcmp(entry->d_name + len - 7, ".lesson") != 0)
			continue;
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			char **grown = realloc(paths, capacity * sizeof *grown);
			if (!grown)
				goto out_of_memory;
			paths = grown;
		}
		if (asprintf(&paths[*count], "%s/%s", dir_path, entry->d_name) < 0)
			goto out_of_memory;
		(*count)++;
	}
	closedir(dir);
	errno = 0;
	if (paths)
		qsort(paths, *count, sizeof *paths, compare_strings);
	return paths;
out_of_memory:
	closedir(dir);
	lessons_free_list(paths, *count);
	*count = 0;
	errno = ENOMEM;
	return NULL;
}

void lessons_free_list(char **paths, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}

const char *lessons_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* LESSON is a path (it has a slash: "./01", "course/x.lesson"), else a
 * number ("1", "01") or a name ("01-echo", "echo") of the lesson
 * directory: never a file of the current directory, whose "01" would
 * stand in for the lesson the student asked for. Returns 1 with *found
 * (caller frees), 0 when no lesson has that name, -1 out of memory. */
int lessons_resolve(const char *given, char **found)
{
	*found = NULL;
	if (strchr(given, '/'))
		return (*found = strdup(given)) ? 1 : -1;
	size_t count;
	char **paths = lessons_list(&count);
	if (!paths && errno == ENOMEM)
		return -1;
	char *match_path = NULL;
	bool numeric = given[0] && strspn(given, "0123456789") == strlen(given);
	for (size_t i = 0; i < count && !match_path; i++) {
		const char *base = lessons_base_name(paths[i]);
		size_t base_len = strlen(base) - strlen(".lesson");
		const char *dash = strchr(base, '-');
		bool match = numeric
			? atoi(base) == atoi(given) && isdigit((unsigned char)base[0])
			: (strlen(given) == base_len && strncmp(base, given, base_len) == 0)
				|| (dash && strlen(given) == base_len - (size_t)(dash + 1 - base)
				    && strncmp(dash + 1, given, strlen(given)) == 0);
		if (match && !(match_path = strdup(paths[i]))) {
			lessons_free_list(paths, count);
			return -1;
		}
	}
	lessons_free_list(paths, count);
	*found = match_path;
	return match_path ? 1 : 0;
}

/* The lesson LESSON names, loaded, its programs allowed when it is
 * shipped or `allow_programs`; NULL when it cannot be (said on stderr). */
struct lesson *lessons_load(const char *given, bool allow_programs)
{
	char *path = NULL;
	int resolved = lessons_resolve(given, &path);
	if (resolved <= 0) {
		if (resolved < 0)
			fprintf(stderr, "socklab: out of memory\n");
		else if (access(given, F_OK) == 0)
			fprintf(stderr,
				"socklab: no lesson '%s' (see 'socklab list'); for the file here, "
				"say ./%s\n",
				given, given);
		else
			fprintf(stderr, "socklab: no lesson '%s' (see 'socklab list')\n", given);
		return NULL;
	}
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load(path, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	diagnostics_done(&diag);
	if (lesson)
		lesson->programs_allowed = allow_programs || lessons_is_shipped(path);
	free(path);
	return lesson;
}

/* Where the examples live: beside the lessons (installed), or the source tree. */
void lessons_examples_dir(char *out, size_t size)
{
	snprintf(out, size, "%s/../examples", lessons_dir());
	if (!lessons_is_directory(out))
		snprintf(out, size, "%s/../examples", SOCKLAB_SOURCE_LESSON_DIR);
}

