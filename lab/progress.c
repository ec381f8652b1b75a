/* progress — one record a lesson in DIR/progress.json, saved atomically. */
#include "progress.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "wrap.h"
#include "i18n.h"

#define PROGRESS_FORMAT "socklab-progress"
#define TEMPORARY_PREFIX PROGRESS_FILE ".tmp-"
#define BROKEN_PREFIX PROGRESS_FILE ".broken-"

/* Thousands of lessons fit in a few hundred KiB: anything this big was not
 * written by socklab, and reading it whole would only waste memory. */
#define PROGRESS_MAX_BYTES (16u << 20)

struct record {
	struct progress_entry entry;
	bool touched;                  /* recorded since the last load or save: ours to merge */
};

struct progress {
	char *dir;                     /* owned */
	struct record *records;        /* owned, sorted by name */
	size_t count;
	size_t capacity;
};

/* The result of reading the file. */
enum read_result {
	READ_OK,
	READ_MISSING,
	READ_BROKEN,                   /* with a reason: set it aside */
	READ_FAILED,                   /* with *err: the machine, not the file (out
	                                  of memory, fds) */
};

/* ---- names and records ------------------------------------------------ */

/* Lesson names are file names: any bytes but '/'. The file stores them as
 * JSON keys and `socklab progress` prints them, so they must be UTF-8
 * without control characters. */
static bool name_is_valid(const char *name, size_t len)
{
	if (len == 0 || len >= PROGRESS_NAME_MAX)
		return false;
	const unsigned char *bytes = (const unsigned char *)name;
	for (size_t i = 0; i < len;) {
		unsigned char c = bytes[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		/* The second byte's range rules out overlong forms, surrogates
		 * and code points past U+10FFFF (RFC 3629's table). */
		size_t extra;
		unsigned char low = 0x80, high = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			extra = 1;
		else if (c >= 0xe0 && c <= 0xef)
			extra = 2, low = c == 0xe0 ? 0xa0 : 0x80, high = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			extra = 3, low = c == 0xf0 ? 0x90 : 0x80, high = c == 0xf4 ? 0x8f : 0xbf;
		else
			return false;
		if (i + extra >= len || bytes[i + 1] < low || bytes[i + 1] > high)
			return false;
		for (size_t k = 2; k <= extra; k++)
			if ((bytes[i + k] & 0xc0) != 0x80)
				return false;
		i += extra + 1;
	}
	return true;
}

/* Index of `name`, or of where it would go (with *found false). */
static size_t find_record(const struct record *records, size_t count, const char *name, bool *found)
{
	size_t low = 0, high = count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		int order = strcmp(records[middle].entry.name, name);
		if (order == 0) {
			*found = true;
			return middle;
		}
		if (order < 0)
			low = middle + 1;
		else
			high = middle;
	}
	*found = false;
	return low;
}

/* The record named `name`, added (zeroed) if there was none; NULL when out
 * of memory. The name must be valid. */
static struct record *insert_record(struct record **records, size_t *count, size_t *capacity,
				    const char *name)
{
	bool found;
	size_t at = find_record(*records, *count, name, &found);
	if (found)
		return &(*records)[at];
	if (*count == *capacity) {
		size_t grown_capacity = *capacity ? *capacity * 2 : 16;
		struct record *grown = realloc(*records, grown_capacity * sizeof *grown);
		if (!grown)
			return NULL;
		*records = grown;
		*capacity = grown_capacity;
	}
	memmove(&(*records)[at + 1], &(*records)[at], (*count - at) * sizeof **records);
	(*count)++;
	struct record *record = &(*records)[at];
	memset(record, 0, sizeof *record);
	snprintf(record->entry.name, sizeof record->entry.name, "%s", name);
	return record;
}

static struct record *touch_record(struct progress *progress, const char *lesson, char **err)
{
	if (!lesson || !name_is_valid(lesson, strlen(lesson))) {
		text_error(err,
			   "cannot keep progress for a lesson named '%s': names are 1 to %d bytes "
			   "of UTF-8 text",
			   lesson ? lesson : "(null)", PROGRESS_NAME_MAX - 1);
		return NULL;
	}
	struct record *record =
		insert_record(&progress->records, &progress->count, &progress->capacity, lesson);
	if (!record) {
		text_error(err, "out of memory");
		return NULL;
	}
	record->touched = true;
	record->entry.updated = (int64_t)time(NULL);
	return record;
}

/* ---- the directory ----------------------------------------------------- */

/* $XDG_STATE_HOME/socklab, or ~/.local/state/socklab. The spec says a
 * relative XDG_STATE_HOME is invalid and to be ignored. */
static int default_dir(char **out, char **err)
{
	const char *state_home = getenv("XDG_STATE_HOME");
	if (state_home && state_home[0] == '/')
		return asprintf(out, "%s/socklab", state_home) < 0
			? text_error(err, "out of memory")
			: 0;
	const char *home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *user = getpwuid(getuid());
		home = user && user->pw_dir && user->pw_dir[0] == '/' ? user->pw_dir : NULL;
	}
	if (!home)
		return text_error(err,
				  "cannot tell where to keep progress: neither XDG_STATE_HOME nor "
				  "HOME is set");
	return asprintf(out, "%s/.local/state/socklab", home) < 0 ? text_error(err, "out of memory")
								  : 0;
}

static int resolve_dir(const char *state_dir, char **out, char **err)
{
	if (!state_dir)
		return default_dir(out, err);
	*out = strdup(state_dir);
	return *out ? 0 : text_error(err, "out of memory");
}

/* mkdir -p with 0700 for what is missing; what exists is left as it is. */
static int make_dirs(const char *dir, char **err)
{
	char *path = strdup(dir);
	if (!path)
		return text_error(err, "out of memory");
	for (char *slash = path + 1;; slash++) {
		bool last = *slash == '\0';
		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			int saved = errno;
			text_error(err, "cannot make the directory %s for progress: %s", path,
				   strerror(saved));
			free(path);
			return -1;
		}
		if (last)
			break;
		*slash = '/';
	}
	free(path);
	return 0;
}

/* Opens DIR and takes its lock: one socklab at a time reads, sets aside or
 * replaces the file. Returns the fd (*locked says whether the filesystem
 * could lock it), -2 when DIR does not exist (and `create` is false), -1
 * with *err. */
static int open_locked(const char *dir, bool create, bool *locked, char **err)
{
	*locked = false;
	if (create && make_dirs(dir, err) < 0)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !create)
			return -2;
		return text_error(err, "cannot use %s for progress: %s", dir, strerror(errno));
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		/* Some network filesystems cannot lock: the rename still keeps
		 * the file whole, only two socklabs saving at once may race. */
		if (errno == ENOLCK || errno == EOPNOTSUPP || errno == EINVAL)
			return fd;
		int saved = errno;
		close(fd);
		return text_error(err, "cannot lock %s: %s", dir, strerror(saved));
	}
	*locked = true;
	return fd;
}

/* Closing the fd drops the lock. */
static void close_locked(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- reading ------------------------------------------------------------ */

/* The field `key` of a lesson as a whole number in [0, max]; false with
 * *reason if it is missing or is anything else. */
static bool read_count(json_t *lesson, const char *name, const char *key, long long max,
		       long long *value, char **reason)
{
	json_t *field = json_object_get(lesson, key);
	if (!field || !json_is_integer(field) || json_integer_value(field) < 0
	    || json_integer_value(field) > max) {
		if (asprintf(reason, "lesson '%s': '%s' is %s", name, key,
			     field ? "not a whole number in range" : "missing") < 0)
			*reason = NULL;
		return false;
	}
	*value = json_integer_value(field);
	return true;
}

/* One lesson's object into a record; false with *reason. */
static bool read_lesson(const char *name, size_t name_len, json_t *lesson,
			struct progress_entry *entry, char **reason)
{
	if (!name_is_valid(name, name_len)) {
		if (asprintf(reason, "a lesson name is not 1 to %d bytes of UTF-8 text",
			     PROGRESS_NAME_MAX - 1) < 0)
			*reason = NULL;
		return false;
	}
	if (!json_is_object(lesson)) {
		if (asprintf(reason, "lesson '%s' is not an object", name) < 0)
			*reason = NULL;
		return false;
	}
	long long reached, total, right, asked, last, updated;
	const long long step_max = 1000000, quiz_max = 1000000000;
	if (!read_count(lesson, name, "steps_reached", step_max, &reached, reason)
	    || !read_count(lesson, name, "total_steps", step_max, &total, reason)
	    || !read_count(lesson, name, "quiz_right", quiz_max, &right, reason)
	    || !read_count(lesson, name, "quiz_asked", quiz_max, &asked, reason)
	    || !read_count(lesson, name, "last_step", step_max, &last, reason)
	    || !read_count(lesson, name, "updated", INT64_MAX, &updated, reason))
		return false;
	json_t *done = json_object_get(lesson, "done");
	if (!json_is_boolean(done) || right > asked) {
		if (asprintf(reason, "lesson '%s': %s", name,
			     !json_is_boolean(done) ? "'done' is not true or false"
						    : "more quiz answers right than asked") < 0)
			*reason = NULL;
		return false;
	}
	memset(entry, 0, sizeof *entry);
	memcpy(entry->name, name, name_len + 1);
	entry->steps_reached = (size_t)reached;
	entry->total_steps = (size_t)total;
	entry->done = json_is_true(done);
	entry->quiz_right = (unsigned)right;
	entry->quiz_asked = (unsigned)asked;
	entry->last_step = (size_t)last;
	entry->updated = (int64_t)updated;
	/* Optional: files written before it was kept have no "failed". */
	long long failed = 0;
	if (json_object_get(lesson, "failed")
	    && !read_count(lesson, name, "failed", step_max, &failed, reason))
		return false;
	entry->failed = (size_t)failed;
	return true;
}

/* The whole document into sorted records; READ_BROKEN with *reason. */
static enum read_result parse_document(const char *text, size_t len, struct record **records,
				       size_t *count, char **reason, char **err)
{
	json_error_t error;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		if (asprintf(reason, "not JSON (line %d, column %d: %s)", error.line, error.column,
			     error.text) < 0)
			*reason = NULL;
		return READ_BROKEN;
	}
	enum read_result result = READ_BROKEN;
	json_t *format = json_object_get(root, "format");
	json_t *version = json_object_get(root, "version");
	json_t *lessons = json_object_get(root, "lessons");
	if (!json_is_object(root) || !json_is_string(format)
	    || strcmp(json_string_value(format), PROGRESS_FORMAT) != 0) {
		*reason = strdup("not a socklab progress file");
	} else if (!json_is_integer(version) || json_integer_value(version) != PROGRESS_VERSION) {
		if (json_is_integer(version)) {
			if (asprintf(reason, "version %lld, and this socklab reads version %d",
				     (long long)json_integer_value(version), PROGRESS_VERSION) < 0)
				*reason = NULL;
		} else {
			*reason = strdup("its version is not a number");
		}
	} else if (!json_is_object(lessons)) {
		*reason = strdup("'lessons' is not an object");
	} else {
		size_t capacity = 0;
		const char *name;
		json_t *lesson;
		result = READ_OK;
		json_object_foreach(lessons, name, lesson) {
			struct progress_entry entry;
			/* A key with a NUL in it reads back as a shorter name that finds
			 * another value, or none. */
			bool whole_name = json_object_get(lessons, name) == lesson;
			if (!read_lesson(name, whole_name ? strlen(name) : 0, lesson, &entry,
					 reason)) {
				result = READ_BROKEN;
				break;
			}
			struct record *record =
				insert_record(records, count, &capacity, entry.name);
			if (!record) {
				result = READ_FAILED;
				text_error(err, "out of memory");
				break;
			}
			record->entry = entry;
		}
	}
	json_decref(root);
	if (result != READ_OK) {
		free(*records);
		*records = NULL;
		*count = 0;
	}
	return result;
}

/* Reads DIR/progress.json (DIR open as dir_fd). */
static enum read_result read_records(int dir_fd, struct record **records, size_t *count,
				     char **reason, char **err)
{
	*records = NULL;
	*count = 0;
	*reason = NULL;
	/* O_NONBLOCK: a FIFO in the file's place must not hang the lab. */
	int fd = openat(dir_fd, PROGRESS_FILE, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return READ_MISSING;
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == EINTR) {
			text_error(err, "cannot read %s: %s", PROGRESS_FILE, strerror(errno));
			return READ_FAILED;
		}
		if (asprintf(reason, "cannot open it: %s", strerror(errno)) < 0)
			*reason = NULL;
		return READ_BROKEN;
	}
	struct stat st;
	const char *unusable = NULL;
	if (fstat(fd, &st) < 0)
		unusable = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		unusable = "it is a directory";
	else if (!S_ISREG(st.st_mode))
		unusable = "it is not a regular file";
	else if (st.st_size > (off_t)PROGRESS_MAX_BYTES)
		unusable = "it is too large to be socklab's";
	if (unusable) {
		close(fd);
		*reason = strdup(unusable);
		if (!*reason) {
			text_error(err, "out of memory");
			return READ_FAILED;
		}
		return READ_BROKEN;
	}
	char *text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		text_error(err, "out of memory");
		return READ_FAILED;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (asprintf(reason, "cannot read it: %s", strerror(errno)) < 0)
				*reason = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			*reason = strdup("it grew while it was read");
			break;
		}
	}
	close(fd);
	enum read_result result = READ_BROKEN;
	if (*reason == NULL && len == 0)
		*reason = strdup("it is empty");
	else if (*reason == NULL)
		result = parse_document(text, len, records, count, reason, err);
	free(text);
	if (result == READ_BROKEN && !*reason) {
		text_error(err, "out of memory");
		return READ_FAILED;
	}
	return result;
}

/* Renames the unusable file out of the way, never over an earlier one, and
 * says so in *warning. Returns 0, or -1 with *err (the file is untouched). */
static int set_aside(int dir_fd, const char *dir, const char *reason, char **warning, char **err)
{
	char stamp[32], aside[sizeof BROKEN_PREFIX + 48];
	time_t now = time(NULL);
	struct tm utc;
	gmtime_r(&now, &utc);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
	for (int attempt = 1; attempt < 100; attempt++) {
		if (attempt == 1)
			snprintf(aside, sizeof aside, "%s%s", BROKEN_PREFIX, stamp);
		else
			snprintf(aside, sizeof aside, "%s%s-%d", BROKEN_PREFIX, stamp, attempt);
		int renamed = renameat2(dir_fd, PROGRESS_FILE, dir_fd, aside, RENAME_NOREPLACE);
		if (renamed < 0 && (errno == EINVAL || errno == ENOSYS)) {
			/* The filesystem cannot refuse to replace; we hold the lock, so
			 * looking first is as good. */
			if (faccessat(dir_fd, aside, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
				errno = EEXIST;
			} else {
				renamed = renameat(dir_fd, PROGRESS_FILE, dir_fd, aside);
			}
		}
		if (renamed == 0) {
			if (warning
			    && asprintf(warning,
					"progress file %s/%s was unusable (%s); set aside as "
					"%s/%s, starting afresh",
					dir, PROGRESS_FILE, reason, dir, aside) < 0)
				*warning = NULL;
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	return text_error(
		err,
		"progress file %s/%s is unusable (%s) and cannot be set aside: %s; move it away",
		dir, PROGRESS_FILE, reason, strerror(errno));
}

/* Reads the file under the lock, setting it aside if it is unusable. */
static int read_or_set_aside(int dir_fd, const char *dir, struct record **records, size_t *count,
			     char **warning, char **err)
{
	char *reason = NULL;
	enum read_result result = read_records(dir_fd, records, count, &reason, err);
	int status = 0;
	if (result == READ_FAILED)
		status = -1;
	else if (result == READ_BROKEN)
		status = set_aside(dir_fd, dir, reason, warning, err);
	free(reason);
	return status;
}

/* ---- writing ------------------------------------------------------------ */

static json_t *build_document(const struct record *records, size_t count)
{
	json_t *root = json_pack("{s:s, s:i, s:{}}", "format", PROGRESS_FORMAT, "version",
				 PROGRESS_VERSION, "lessons");
	json_t *lessons = root ? json_object_get(root, "lessons") : NULL;
	for (size_t i = 0; lessons && i < count; i++) {
		const struct progress_entry *e = &records[i].entry;
		json_t *lesson =
			json_pack("{s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I}", "steps_reached",
				  (json_int_t)e->steps_reached, "total_steps",
				  (json_int_t)e->total_steps, "done", e->done, "failed",
				  (json_int_t)e->failed, "quiz_right", (json_int_t)e->quiz_right,
				  "quiz_asked", (json_int_t)e->quiz_asked, "last_step",
				  (json_int_t)e->last_step, "updated", (json_int_t)e->updated);
		if (!lesson || json_object_set_new(lessons, e->name, lesson) < 0) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Temporary files of writers that were killed: we hold the lock, so no
 * live writer has one open. */
static void remove_stale_temporaries(int dir_fd)
{
	int scan_fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *scan = scan_fd >= 0 ? fdopendir(scan_fd) : NULL;
	if (!scan) {
		if (scan_fd >= 0)
			close(scan_fd);
		return;
	}
	struct dirent *entry;
	while ((entry = readdir(scan)))
		if (strncmp(entry->d_name, TEMPORARY_PREFIX, strlen(TEMPORARY_PREFIX)) == 0)
			unlinkat(dir_fd, entry->d_name, 0);
	closedir(scan);
}

/* Writes a temporary file beside the real one, makes it durable, then
 * renames it into place: rename() replaces the name in one step, so a
 * reader (or a crash) sees the old file or the new one. */
static int write_records(int dir_fd, bool locked, const char *dir, const struct record *records,
			 size_t count, char **err)
{
	json_t *root = build_document(records, count);
	char *text = root ? json_dumps(root, JSON_INDENT(2)) : NULL;
	json_decref(root);
	char *path = NULL;
	if (!text || asprintf(&path, "%s/%sXXXXXX", dir, TEMPORARY_PREFIX) < 0) {
		free(text);
		return text_error(err, "out of memory");
	}
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		text_error(err, "cannot save progress: cannot create a file in %s: %s", dir,
			   strerror(errno));
		free(path);
		free(text);
		return -1;
	}
	const char *base = strrchr(path, '/') + 1;
	const char *failed = NULL;
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0)
		failed = "write";
	else if (fsync(fd) < 0)
		failed = "fsync";
	int saved = errno;
	if (close(fd) < 0 && !failed) {
		failed = "close";
		saved = errno;
	}
	if (!failed && renameat(dir_fd, base, dir_fd, PROGRESS_FILE) < 0) {
		failed = "rename";
		saved = errno;
	}
	if (failed) {
		unlinkat(dir_fd, base, 0);
		text_error(err, "cannot save progress in %s: %s: %s", dir, failed, strerror(saved));
	} else {
		/* Makes the rename itself survive a power cut; the file is whole
		 * either way, so a filesystem that cannot is no error. */
		fsync(dir_fd);
		if (locked)
			remove_stale_temporaries(dir_fd);
	}
	free(path);
	free(text);
	return failed ? -1 : 0;
}

/* What is on disk, with our touched records laid over it. */
static int merge_records(const struct progress *progress, struct record **merged, size_t *count)
{
	size_t capacity = *count;
	for (size_t i = 0; i < progress->count; i++) {
		const struct record *mine = &progress->records[i];
		if (!mine->touched)
			continue;
		bool found;
		find_record(*merged, *count, mine->entry.name, &found);
		struct record *theirs = insert_record(merged, count, &capacity, mine->entry.name);
		if (!theirs)
			return -1;
		struct progress_entry entry = mine->entry;
		if (found) {
			/* Another socklab may have got further with this lesson meanwhile. */
			if (theirs->entry.steps_reached > entry.steps_reached)
				entry.steps_reached = theirs->entry.steps_reached;
			entry.done = entry.done || theirs->entry.done;
		}
		theirs->entry = entry;
	}
	return 0;
}

/* ---- the contract --------------------------------------------------------- */

int progress_new(struct progress **out, const char *state_dir, char **err)
{
	*out = NULL;
	struct progress *progress = calloc(1, sizeof *progress);
	if (!progress)
		return text_error(err, "out of memory");
	if (resolve_dir(state_dir, &progress->dir, err) < 0) {
		free(progress);
		return -1;
	}
	*out = progress;
	return 0;
}

int progress_load(struct progress **out, const char *state_dir, char **warning, char **err)
{
	if (warning)
		*warning = NULL;
	if (progress_new(out, state_dir, err) < 0)
		return -1;
	struct progress *progress = *out;
	bool locked;
	int dir_fd = open_locked(progress->dir, false, &locked, err);
	if (dir_fd == -2)
		return 0;
	if (dir_fd < 0
	    || read_or_set_aside(dir_fd, progress->dir, &progress->records, &progress->count,
				 warning, err) < 0) {
		close_locked(dir_fd);
		progress_free(progress);
		*out = NULL;
		return -1;
	}
	progress->capacity = progress->count;
	close_locked(dir_fd);
	return 0;
}

void progress_free(struct progress *progress)
{
	if (!progress)
		return;
	free(progress->records);
	free(progress->dir);
	free(progress);
}

const char *progress_dir(const struct progress *progress)
{
	return progress->dir;
}

int progress_record_step(struct progress *progress, const char *lesson, size_t steps_done,
			 size_t total, size_t failures, char **err)
{
	if (!progress)
		return 0;
	struct record *record = touch_record(progress, lesson, err);
	if (!record)
		return -1;
	struct progress_entry *entry = &record->entry;
	if (steps_done > entry->steps_reached)
		entry->steps_reached = steps_done;
	entry->last_step = steps_done;
	entry->total_steps = total;
	if (total > 0 && steps_done >= total) {
		/* Stepped to the end: done only if the kernel met every expectation. */
		entry->failed = failures;
		if (!failures)
			entry->done = true;
	}
	return 0;
}

int progress_record_quiz(struct progress *progress, const char *lesson, unsigned right,
			 unsigned asked, char **err)
{
	if (!progress)
		return 0;
	if (right > asked)
		return text_error(err, "a quiz score of %u right of %u asked", right, asked);
	if (asked == 0)
		return 0;   /* nothing predicted: the last real score stands */
	struct record *record = touch_record(progress, lesson, err);
	if (!record)
		return -1;
	record->entry.quiz_right = right;
	record->entry.quiz_asked = asked;
	return 0;
}

bool progress_get(const struct progress *progress, const char *lesson, struct progress_entry *entry)
{
	bool found = false;
	size_t at = progress && lesson
		? find_record(progress->records, progress->count, lesson, &found)
		: 0;
	if (found)
		*entry = progress->records[at].entry;
	return found;
}

bool progress_latest(const struct progress *progress, struct progress_entry *entry)
{
	const struct record *latest = NULL;
	for (size_t i = 0; progress && i < progress->count; i++)
		if (!latest || progress->records[i].entry.updated > latest->entry.updated)
			latest = &progress->records[i];
	if (latest)
		*entry = latest->entry;
	return latest != NULL;
}

size_t progress_count(const struct progress *progress)
{
	return progress ? progress->count : 0;
}

const struct progress_entry *progress_entry_at(const struct progress *progress, size_t index)
{
	return progress && index < progress->count ? &progress->records[index].entry : NULL;
}

int progress_save(struct progress *progress, char **warning, char **err)
{
	if (warning)
		*warning = NULL;
	if (!progress)
		return 0;
	bool locked;
	int dir_fd = open_locked(progress->dir, true, &locked, err);
	if (dir_fd < 0)
		return -1;
	struct record *merged = NULL;
	size_t count = 0;
	int status = read_or_set_aside(dir_fd, progress->dir, &merged, &count, warning, err);
	if (status == 0 && merge_records(progress, &merged, &count) < 0)
		status = text_error(err, "out of memory");
	if (status == 0)
		status = write_records(dir_fd, locked, progress->dir, merged, count, err);
	close_locked(dir_fd);
	if (status < 0) {
		free(merged);
		return -1;
	}
	/* Now we hold what the file holds. */
	free(progress->records);
	progress->records = merged;
	progress->count = progress->capacity = count;
	for (size_t i = 0; i < count; i++)
		progress->records[i].touched = false;
	return 0;
}

int progress_reset(const char *state_dir, char **err)
{
	char *dir;
	if (resolve_dir(state_dir, &dir, err) < 0)
		return -1;
	bool locked;
	int dir_fd = open_locked(dir, false, &locked, err);
	int status = 0;
	if (dir_fd >= 0 && unlinkat(dir_fd, PROGRESS_FILE, 0) < 0 && errno != ENOENT)
		status = text_error(err, "cannot remove %s/%s: %s", dir, PROGRESS_FILE,
				    strerror(errno));
	if (dir_fd == -1)
		status = -1;
	close_locked(dir_fd);
	free(dir);
	return status;
}

/* ---- socklab progress ------------------------------------------------------ */

static int digits(size_t n)
{
	int count = 1;
	while (n >= 10) {
		n /= 10;
		count++;
	}
	return count;
}

struct print_widths {
	int name, reached, total;
};

/* `text`, then spaces up to `width` display columns (a Chinese character
 * takes two: printf's %-11s would count its three bytes). */
static void print_padded(FILE *out, const char *text, int width)
{
	fputs(text, out);
	for (int used = wrap_columns(text, strlen(text)); used < width; used++)
		fputc(' ', out);
}

static void print_line(FILE *out, const struct print_widths *widths, const char *name, size_t total,
		       const struct progress_entry *entry)
{
	size_t reached = entry ? entry->steps_reached : 0;
	if (total > 0 && reached > total)
		reached = total;   /* the lesson has lost steps since */
	char status[96];
	if (!entry || (entry->steps_reached == 0 && !entry->done))
		snprintf(status, sizeof status, "%s", _("not started"));
	else if (entry->done)
		snprintf(status, sizeof status, "%s", _("done"));
	else if (entry->failed)
		snprintf(status, sizeof status, _("tried, %zu failed"), entry->failed);
	else
		snprintf(status, sizeof status, "%s", _("in progress"));
	fprintf(out, "%-*s  %*zu/%-*zu %s  ", widths->name, name, widths->reached, reached,
		widths->total, total, _("steps"));
	char quiz[64] = "";
	if (entry && entry->quiz_asked > 0)
		snprintf(quiz, sizeof quiz, _("quiz %u/%u"), entry->quiz_right, entry->quiz_asked);
	else if (entry && (entry->steps_reached > 0 || entry->done))
		snprintf(quiz, sizeof quiz, "%s", _("quiz -"));
	if (quiz[0]) {
		print_padded(out, status, 11);
		fprintf(out, "  %s\n", quiz);
	} else {
		fprintf(out, "%s\n", status);
	}
}

static bool listed(const struct progress_lesson *lessons, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (lessons[i].name && strcmp(lessons[i].name, name) == 0)
			return true;
	return false;
}

void progress_print(FILE *out, const struct progress *progress,
		    const struct progress_lesson *lessons, size_t lesson_count)
{
	struct print_widths widths = { .name = 8, .reached = 1, .total = 1 };
	for (size_t i = 0; i < lesson_count; i++) {
		struct progress_entry entry;
		if ((int)strlen(lessons[i].name) > widths.name)
			widths.name = (int)strlen(lessons[i].name);
		if (digits(lessons[i].total_steps) > widths.total)
			widths.total = digits(lessons[i].total_steps);
		if (progress_get(progress, lessons[i].name, &entry)
		    && digits(entry.steps_reached) > widths.reached)
			widths.reached = digits(entry.steps_reached);
	}
	for (size_t i = 0; i < progress_count(progress); i++) {
		const struct progress_entry *entry = progress_entry_at(progress, i);
		if ((int)strlen(entry->name) > widths.name)
			widths.name = (int)strlen(entry->name);
		if (digits(entry->steps_reached) > widths.reached)
			widths.reached = digits(entry->steps_reached);
		if (digits(entry->total_steps) > widths.total)
			widths.total = digits(entry->total_steps);
	}
	for (size_t i = 0; i < lesson_count; i++) {
		struct progress_entry entry;
		bool found = progress_get(progress, lessons[i].name, &entry);
		print_line(out, &widths, lessons[i].name, lessons[i].total_steps,
			   found ? &entry : NULL);
	}
	/* Lessons run from a path, or since removed: still the student's work. */
	for (size_t i = 0; i < progress_count(progress); i++) {
		const struct progress_entry *entry = progress_entry_at(progress, i);
		if (!listed(lessons, lesson_count, entry->name))
			print_line(out, &widths, entry->name, entry->total_steps, entry);
	}
}
