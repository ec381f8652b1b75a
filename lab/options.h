/* options — one table-driven parser for every command's options, and the
 * usage line made from the same table.
 *
 * A command lists its options as rows (name, an optional short letter, the
 * value's name when it takes one). options_parse() runs getopt_long over
 * them and hands each option found to the command's `take` function by row
 * index; every mistake (an unknown option, a missing value) is said in one
 * line naming the command, followed by the usage line, as every command
 * says it. */
#ifndef SOCKLAB_OPTIONS_H
#define SOCKLAB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct option_row {
	const char *name;        /* "trace" for --trace */
	char letter;             /* a short form ('o' for -o), 0 none */
	const char *value;       /* "FILE" when it takes a value, NULL for a flag */
	bool required;           /* the usage line shows it without brackets (the
	                            command checks it) */
};

struct options_spec {
	const char *command;     /* "run" */
	const char *operands;    /* what follows the options in the usage line: "LESSON",
	                            "FILE...", "" */
	const struct option_row *rows;
	size_t row_count;
};

/* Calls take(context, row, value) for each option found in argv (argv[0]
 * is the command), value NULL for a flag; `take` returns 0, or -1 after
 * saying why on stderr. Options end at the first operand. Returns the index
 * of the first operand in argv; OPTIONS_HELP after printing the usage on
 * stdout (--help); OPTIONS_BAD after saying what was wrong and the usage
 * on stderr. */
enum { OPTIONS_HELP = -1, OPTIONS_BAD = -2 };
int options_parse(const struct options_spec *spec, int argc, char **argv,
		  int (*take)(void *context, size_t row, const char *value), void *context);

/* "usage: socklab run [--plain] [--trace FILE] ... LESSON\n" */
void options_usage(FILE *out, const struct options_spec *spec);

#endif
