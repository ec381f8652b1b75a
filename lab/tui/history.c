/* history — free play's typed lines, in memory and on disk. */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"
#include "i18n.h"

enum { LINE_MAX_BYTES = 4096 };   /* longer lines in the file are not ours: skipped */

char *history_default_path(void)
{
	char *path = NULL;
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	/* The XDG spec: a relative XDG_STATE_HOME is invalid and ignored. */
	if (state && state[0] == '/')
		return asprintf(&path, "%s/socklab/history", state) < 0 ? NULL : path;
	if (home && home[0])
		return asprintf(&path, "%s/.local/state/socklab/history", home) < 0 ? NULL : path;
	return NULL;
}

/* Drops the oldest line when full; takes ownership of `line`. */
static void history_push(struct history *history, char *line)
{
	if (history->count == HISTORY_KEEP) {
		free(history->lines[0]);
		memmove(history->lines, history->lines + 1,
			(HISTORY_KEEP - 1) * sizeof *history->lines);
		history->count--;
	}
	history->lines[history->count++] = line;
}

/* Rewrites the file with what memory holds, through a temporary file and
 * rename(), so a crash leaves the old file or the new one, never half. */
static int history_rewrite(const struct history *history)
{
	char *temporary = NULL;
	if (asprintf(&temporary, "%s.new", history->path) < 0)
		return -1;
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *file = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!file && fd >= 0)
		close(fd);
	int result = -1;
	if (file) {
		for (size_t i = 0; i < history->count; i++)
			fprintf(file, "%s\n", history->lines[i]);
		result = fclose(file) == 0 && rename(temporary, history->path) == 0 ? 0 : -1;
		if (result < 0)
			unlink(temporary);
	}
	free(temporary);
	return result;
}

int history_load(struct history *history, const char *path, char **err)
{
	memset(history, 0, sizeof *history);
	history->lines = calloc(HISTORY_KEEP, sizeof *history->lines);
	if (!history->lines)
		return text_error(err, "%s", _("history skipped: out of memory"));
	if (!path)
		return 0;
	history->path = strdup(path);
	if (!history->path)
		return text_error(err, "%s", _("history skipped: out of memory"));
	FILE *file = fopen(path, "r");
	if (!file)
		return errno == ENOENT
			? 0
			: text_error(err, _("history skipped (%s): %s"), strerror(errno), path);
	char *line = NULL;
	size_t capacity = 0, read_lines = 0;
	ssize_t len;
	while ((len = getline(&line, &capacity, file)) >= 0) {
		read_lines++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* A NUL inside, or a line too long to be typed: not a line of ours. */
		if (len == 0 || (size_t)len != strlen(line) || len >= LINE_MAX_BYTES)
			continue;
		char *copy = strdup(line);
		if (copy)
			history_push(history, copy);
	}
	int failed = ferror(file) ? errno : 0;
	free(line);
	fclose(file);
	if (failed) {
		/* A directory, an I/O error: start empty rather than half-read. */
		for (size_t i = 0; i < history->count; i++)
			free(history->lines[i]);
		history->count = 0;
		return text_error(err, _("history skipped (%s): %s"), strerror(failed), path);
	}
	if (read_lines > HISTORY_KEEP)
		history_rewrite(history);
	return 0;
}

/* mkdir -p of the file's directory; new directories are the user's alone. */
static int make_parents(const char *path)
{
	char *directory = strdup(path);
	if (!directory)
		return -1;
	int result = 0;
	for (char *slash = strchr(directory + 1, '/'); slash && result == 0;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(directory, 0700) < 0 && errno != EEXIST)
			result = -1;
		*slash = '/';
	}
	free(directory);
	return result;
}

int history_add(struct history *history, const char *line, char **err)
{
	if (!history->lines || !line[0])
		return 0;
	if (history->count && strcmp(history->lines[history->count - 1], line) == 0)
		return 0;
	char *copy = strdup(line);
	if (!copy)
		return text_error(err, "%s", _("history not kept: out of memory"));
	history_push(history, copy);
	if (!history->path)
		return 0;
	if (make_parents(history->path) < 0)
		return text_error(err, _("history not kept (%s): %s"), strerror(errno),
				  history->path);
	/* What a student typed is theirs alone, like the directory. */
	int fd = open(history->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *file = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!file) {
		int error = errno;
		if (fd >= 0)
			close(fd);
		return text_error(err, _("history not kept (%s): %s"), strerror(error),
				  history->path);
	}
	fprintf(file, "%s\n", line);
	if (fclose(file) != 0)
		return text_error(err, _("history not kept (%s): %s"), strerror(errno),
				  history->path);
	return 0;
}

void history_done(struct history *history)
{
	for (size_t i = 0; i < history->count; i++)
		free(history->lines[i]);
	free(history->lines);
	free(history->path);
	memset(history, 0, sizeof *history);
}
