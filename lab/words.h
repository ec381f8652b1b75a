/* words — a program's command line as argv: split as a POSIX shell splits
 * words, with nothing expanded.
 *
 * No shell runs a lesson's `program` command or `socklab step`'s: the
 * words go to execve as they are. So the grammar is a shell's quoting and
 * nothing more: words are separated by blanks (spaces, tabs); '...' keeps
 * everything up to the next ' as it is; "..." too, but for \" \\ \$ and \`,
 * which stand for the character; outside quotes a backslash keeps the next
 * character as it is. What a shell would expand, substitute, glob or
 * redirect is refused unless quoted — $ ` ; & | < > ( ) * ? [ ] { } ~ #
 * outside quotes, $ and ` inside double quotes — so a command means what
 * it reads as: `sh -c echo${IFS}owned>file` is refused, and
 * `sh -c 'echo${IFS}owned>file'` shows the shell script it is.
 */
#ifndef SOCKLAB_WORDS_H
#define SOCKLAB_WORDS_H

#include <stddef.h>

enum { WORDS_MAX = 32 };

struct words {
	char *argv[WORDS_MAX + 1];   /* NULL-terminated; each owned */
	int count;
};

/* Splits `command` into words. A word that begins with ./ or ../ is made
 * absolute from `base_dir` (when not NULL): a lesson's programs are named
 * from the lesson's directory. Returns 0, or -1 with *err (one line) and
 * *column (the 1-based byte of `command` it is about; may be NULL). On
 * failure nothing is kept. */
int words_split(struct words *words, const char *command, const char *base_dir, char **err,
		size_t *column);

/* Frees the words; safe twice and on a zeroed struct. */
void words_done(struct words *words);

/* The words as one line a shell would split back into them: a word with
 * anything but letters, digits and _@%+=:,./- in it is single-quoted.
 * Returns a malloc'd string, or NULL when out of memory. */
char *words_show(const struct words *words);

#endif
