/* progress — what a student has done, kept between runs.
 *
 * One record a lesson, by the lesson's name ("01-echo"): the most steps
 * ever reached, the lesson's step count, whether it was stepped to its end,
 * the last quiz score, where the student left it, and when. A lesson is done
 * only when it was stepped to its end with every expectation met (or
 * explained by a kernel timer that ran out); one stepped to its end with
 * failures is "tried", with the number that failed.
 *
 * The records live in one file, DIR/progress.json, where DIR is
 * $XDG_STATE_HOME/socklab (an unset, empty or relative XDG_STATE_HOME
 * means ~/.local/state, as the XDG spec says). Missing directories are
 * made 0700, the file is 0600. The file is JSON:
 *
 *     {
 *       "format": "socklab-progress",
 *       "version": 1,
 *       "lessons": {
 *         "01-echo": { "steps_reached": 16, "total_steps": 16, "done": true,
 *                      "failed": 0, "quiz_right": 12, "quiz_asked": 16, "last_step": 16,
 *                      "updated": 1732550400 }
 *       }
 *     }
 *
 * Every field is required but "failed" (files written before it read as 0); counts are integers
 * >= 0, quiz_right <= quiz_asked, "updated" is seconds since the epoch; names are 1 to 63 bytes.
 * Unknown fields are ignored, so a later version may add some without a new number.
 *
 * Saving writes a temporary file in DIR, fsyncs it, renames it over
 * progress.json and fsyncs DIR: a crash or a kill at any moment leaves the
 * old file or the new one. Saves and loads hold flock() on DIR, so two
 * socklab processes never interleave, and a save merges: lessons this
 * process did not touch are taken from the file as it is now, and for the
 * ones it did, the most steps reached and "done" are kept from either side.
 *
 * A file that cannot be used (not JSON, another format or version, wrong
 * types, a directory or a FIFO in its place, unreadable, too large) is
 * renamed to progress.json.broken-YYYYMMDDTHHMMSSZ and reported in one line
 * through *warning; the student starts afresh and nothing is lost.
 */
#ifndef SOCKLAB_PROGRESS_H
#define SOCKLAB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_NAME_MAX 64       /* lesson names, with the NUL (as run_info.lesson) */
#define PROGRESS_FILE "progress.json"
#define PROGRESS_VERSION 1

struct progress_entry {
	char name[PROGRESS_NAME_MAX];  /* "01-echo" */
	size_t steps_reached;          /* the most steps ever done in one run */
	size_t total_steps;            /* the lesson's step count when last recorded */
	bool done;                     /* stepped to its end with no failed expectation at least
	                                  once; never unset */
	size_t failed;                 /* expectations that failed in the latest run stepped to its
	                                  end; 0 none (or never stepped to its end) */
	unsigned quiz_right;           /* the latest quiz run: parts predicted right */
	unsigned quiz_asked;           /* ... of parts asked; 0: never quizzed */
	size_t last_step;              /* steps done when last recorded: where to continue */
	int64_t updated;               /* seconds since the epoch of the last record */
};

/* A lesson as `socklab progress` lists it, started or not. */
struct progress_lesson {
	const char *name;              /* borrowed */
	size_t total_steps;
};

struct progress;

/* Reads DIR/progress.json; `state_dir` is DIR itself, or NULL for the
 * default above. A missing file or directory is empty progress. A broken
 * file is set aside: *warning gets a malloc'd line to show (else stays NULL)
 * and *out is empty progress. Returns 0; -1 with *err when there is no
 * usable place (HOME unset, DIR not a directory or not readable) or a broken
 * file could not be set aside (it is left untouched). *out is the caller's:
 * progress_free. */
int progress_load(struct progress **out, const char *state_dir, char **warning, char **err);

/* Empty progress kept in `state_dir` (NULL: the default), for a caller that
 * wants to start over without reading. Returns 0, or -1 with *err. */
int progress_new(struct progress **out, const char *state_dir, char **err);

void progress_free(struct progress *progress);   /* safe on NULL */

/* The directory progress is kept in (owned by progress). */
const char *progress_dir(const struct progress *progress);

/* After a run reached `steps_done` of `total` steps with `failures`
 * expectations failed so far: raises steps_reached, sets last_step and
 * total; when steps_done >= total > 0, marks done if nothing failed, else
 * records the failures (the lesson was tried, not done).
 * Returns 0, or -1 with *err (out of memory, a name that is empty, too long
 * or not UTF-8). On a NULL progress (a run without one) does nothing. */
int progress_record_step(struct progress *progress, const char *lesson, size_t steps_done,
			 size_t total, size_t failures, char **err);

/* The score of the latest quiz run, replacing the previous one; call it as
 * often as the score changes. A score of nothing asked changes nothing.
 * Same returns as progress_record_step. */
int progress_record_quiz(struct progress *progress, const char *lesson, unsigned right,
			 unsigned asked, char **err);

/* Copies the record of `lesson` into *entry; false when there is none. */
bool progress_get(const struct progress *progress, const char *lesson,
		  struct progress_entry *entry);

/* The record updated last (for "continue where you left off"); false when
 * there is none. */
bool progress_latest(const struct progress *progress, struct progress_entry *entry);

/* How many records, and each (0 .. count-1) in name order, for a menu. */
size_t progress_count(const struct progress *progress);
const struct progress_entry *progress_entry_at(const struct progress *progress, size_t index);

/* Writes the records (merged, see above) atomically, making DIR if needed.
 * Returns 0, or -1 with *err; the old file is then untouched. If the file
 * on disk had become unusable since the load, it is set aside as above and
 * *warning says so. On a NULL progress does nothing. */
int progress_save(struct progress *progress, char **warning, char **err);

/* Removes DIR/progress.json (NULL: the default DIR); a missing one is
 * fine. Returns 0, or -1 with *err. */
int progress_reset(const char *state_dir, char **err);

/* `socklab progress`: one line a lesson, the given ones first in their
 * order (never started ones too), then any other recorded lesson:
 *
 *     01-echo      16/16 steps  done         quiz 12/16
 *     02-socket     4/9  steps  in progress  quiz -
 *     08-closing   46/46 steps  tried, 2 failed  quiz -
 *     03-bind       0/7  steps  not started
 *
 * `progress` may be NULL (nothing recorded). */
void progress_print(FILE *out, const struct progress *progress,
		    const struct progress_lesson *lessons, size_t lesson_count);

#endif
