/* consent — which lessons may start programs, and what they would run. */
#include "consent.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "words.h"

/* The real directory of the file at `path`, into out (PATH_MAX). */
static bool real_directory_of(const char *path, char *out)
{
	char resolved[PATH_MAX];
	if (!realpath(path, resolved))
		return false;
	char *slash = strrchr(resolved, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(out, PATH_MAX, "%s", resolved[0] ? resolved : "/");
	return true;
}

bool consent_is_shipped(const char *lesson_path, const char *const *shipped_dirs, size_t dir_count)
{
	char lesson_dir[PATH_MAX];
	if (!real_directory_of(lesson_path, lesson_dir))
		return false;
	for (size_t i = 0; i < dir_count; i++) {
		char shipped[PATH_MAX];
		if (shipped_dirs[i] && realpath(shipped_dirs[i], shipped)
		    && strcmp(shipped, lesson_dir) == 0)
			return true;
	}
	return false;
}

bool consent_has_programs(const struct lesson *lesson)
{
	for (int s = 0; s < lesson->side_count; s++)
		if (lesson->programs[s])
			return true;
	return false;
}

char *consent_describe(const struct lesson *lesson, const char *separator)
{
	/* As the session names them: from the lesson file's directory. */
	char dir[PATH_MAX] = ".", base[PATH_MAX];
	const char *slash = strrchr(lesson->path, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - lesson->path), lesson->path);
	if (!realpath(dir, base))
		snprintf(base, sizeof base, "%s", dir);
	char *line = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&line, &length);
	if (!out)
		return NULL;
	bool any = false, failed = false;
	for (int s = 0; s < lesson->side_count; s++) {
		if (!lesson->programs[s])
			continue;
		struct words words;
		char *err = NULL, *shown = NULL;
		if (words_split(&words, lesson->programs[s], base, &err, NULL) == 0)
			shown = words_show(&words);
		/* The parser refused what does not split: a failure here is memory. */
		failed |= !shown;
		fprintf(out, "%s%s: %s", any ? separator : "", lesson->sides[s],
			shown ? shown : "?");
		any = true;
		free(shown);
		free(err);
		words_done(&words);
	}
	if (fclose(out) != 0 || failed || !any) {
		free(line);
		return NULL;
	}
	return line;
}
