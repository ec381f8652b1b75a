/* lesson — lesson text and typed calls, parsed once into steps.
 *
 * One call grammar serves lesson files and anything a student types:
 *
 *     side: [name =] call(arg, ...)
 *
 * The parser checks each call against the catalog (name, argument count
 * and kinds, constants, addresses, socket names defined by earlier steps of
 * the same side) and records the position of everything, so every problem
 * reads `file:line:col: message`. Nothing after the parser reads text.
 * The grammar of lesson files is documented in lessons/README.md.
 */
#ifndef SOCKLAB_LESSON_H
#define SOCKLAB_LESSON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "catalog.h"

#define LESSON_MAX_SIDES 8
#define LESSON_LINE_MAX_BYTES 1000   /* a lesson line, and so a line typed in free play */
#define NAME_MAX_LEN 16   /* side and socket names, with the NUL */

struct source_pos {
	int line;    /* 1-based */
	int column;  /* 1-based, in bytes */
};

/* Every problem found, formatted `file:line:col: message`. */
struct diagnostics {
	char **messages;
	struct source_pos *positions;   /* of each message, for sorting; {0, 0}: the whole file */
	size_t count;
	size_t capacity;
	const char *file;       /* borrowed: the name messages start with */
};
void diagnostics_init(struct diagnostics *diag, const char *file);
void diagnostics_done(struct diagnostics *diag);
void diagnostics_add(struct diagnostics *diag, struct source_pos pos, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

struct call_arg {
	enum arg_kind kind;
	struct source_pos pos;
	long number;                      /* numbers, constants (or'ed), fd numbers,
	                                     ARG_SIDE's index */
	char socket_name[NAME_MAX_LEN];   /* ARG_SOCKET written as a name; "" for a number */
	struct sockaddr_storage address;  /* ARG_ADDRESS */
	socklen_t address_len;
	char *bytes;                      /* ARG_BYTES decoded, ARG_PATH; owned, NUL-terminated */
	size_t bytes_len;
};

struct typed_call {
	int side;                          /* index into the lesson's sides */
	char result_name[NAME_MAX_LEN];    /* `name =`, or "" */
	const struct call_def *def;
	struct call_arg args[CALL_MAX_ARGS];
	int arg_count;
	char *text;                        /* the call as written, after "side: "; owned */
	struct source_pos pos;
};

enum expect_kind {
	EXPECT_RETURN,   /* the call returns `value` */
	EXPECT_FD,       /* the call returns a file descriptor (>= 0) */
	EXPECT_BLOCKS,   /* the call sleeps in the kernel */
	EXPECT_ERROR,    /* -1 with errno `error` */
	EXPECT_BYTES,    /* the call received exactly `bytes` */
	EXPECT_STATE,    /* a socket of `side` is in `state` */
	EXPECT_VALUE,    /* getsockopt/fcntl read `value` */
	EXPECT_ADDRESS,  /* accept/recvfrom/getsockname/getpeername filled in `address` */
	EXPECT_READY,    /* poll/select/epoll_wait reported exactly `bytes`:
	                    "conn1 POLLIN, conn2 POLLIN" */
};

/* Which socket a state expectation names. */
enum socket_ref {
	REF_NAME,          /* by the name a step gave it: "ls", "conn" */
	REF_ACCEPT_QUEUE,  /* "(accept queue)": completed, no fd yet */
	REF_HANDSHAKE,     /* "(handshake)": a request socket, the handshake not
	                      complete (SYN-RECV) */
};

struct expectation {
	enum expect_kind kind;
	struct source_pos pos;
	int woken_side;          /* >= 0: applies to that side's blocked call returning
	                            ("server returns fd") */
	long value;              /* EXPECT_RETURN, EXPECT_VALUE */
	struct sockaddr_storage address;   /* EXPECT_ADDRESS */
	socklen_t address_len;
	int error;               /* EXPECT_ERROR */
	char *bytes;             /* EXPECT_BYTES, EXPECT_READY; owned */
	size_t bytes_len;
	int side;                /* EXPECT_STATE */
	enum socket_ref ref;
	char socket_name[NAME_MAX_LEN];
	int state;               /* TCP_* number; 0 = "gone": no such socket any more */
	long recv_queue;         /* -1: not checked */
	long send_queue;         /* -1: not checked */
	long within_ms;          /* > 0: the state may follow a kernel timer; wait
	                            up to this long */
	bool unless_timer;       /* `unless its timer ran out`: a kernel timer that ended the
	                            socket's state before the step explains the state not
	                            holding (timed.h) */
	bool after_wake;         /* from a `then:` line: checked after blocked calls the step woke
	                            have returned */
};

struct lesson_step {
	struct typed_call call;
	struct expectation *expects;   /* owned array */
	size_t expect_count;
	char *say;                     /* owned; may be NULL */
	char *then_say;                /* owned; may be NULL: shown once the woken call returned
	                                  (part 2 of a step that woke another side),
	                                  instead of say */
	char *python;                  /* owned; may be NULL */
	bool needs_private_netns;      /* `needs: private-netns`: skipped on the host path */
	int line;
	int say_line, then_say_line;   /* of `say:` and `then-say:`, 1-based; 0 when absent */
};

struct lesson {
	char *path;                    /* as given */
	char *name;                    /* "01-echo": the file name without .lesson */
	char *title;
	int title_line;                /* of `title:`, 1-based */
	char *intro;                   /* may be NULL */
	int intro_line;                /* of `intro:`, 1-based */
	char sides[LESSON_MAX_SIDES][NAME_MAX_LEN];
	int side_count;
	bool hold_segments;            /* `wire: hold`: every TCP segment waits for
	                                  release() or drop() */
	bool hold_forced;              /* `socklab run --hold`: held though the lesson was written
	                                  for a free wire; the student releases each segment
	                                  (session_wire_next), and the lesson's expectations, which
	                                  assume a free wire, are not checked */
	bool forked[LESSON_MAX_SIDES]; /* the side is made by a fork() step, not at the start */
	char *programs[LESSON_MAX_SIDES]; /* `program SIDE: COMMAND`: the side is that unmodified
	                                     program, stepped at its socket calls (program.h), not a
	                                     puppet; owned, NULL for a puppet. Split as words.h
	                                     says; words starting ./ or ../ are relative to
	                                     the lesson file. */
	bool programs_allowed;         /* the programs may start: the lesson is shipped with
	                                  socklab, or the user said so (consent.h);
	                                  false as loaded */
	struct lesson_step *steps;
	size_t step_count;
};

/* Names each side has given to sockets so far, so calls can be checked
 * while they are parsed (lessons) or typed (free play). */
struct name_scope {
	char names[LESSON_MAX_SIDES][32][NAME_MAX_LEN];
	int count[LESSON_MAX_SIDES];
};

/* Parses a lesson from memory. Problems go to diag (every one found);
 * returns NULL when there was any. The lesson owns all its strings. */
struct lesson *lesson_parse(const char *path, const char *text, size_t len,
			    struct diagnostics *diag);

/* Reads and parses a file: a missing, unreadable, empty, binary or
 * oversized file is one diagnostic. The lesson keeps the file's English;
 * lesson_load (lesson_po.h) puts in the texts of the chosen language. */
struct lesson *lesson_load_source(const char *path, struct diagnostics *diag);

void lesson_free(struct lesson *lesson);        /* safe on NULL */

/* Parses one typed call, "side: [name =] call(args)", starting at `pos`.
 * sides/side_count say which sides exist; scope checks and records names.
 * Returns 0, or -1 with problems in diag. out owns its strings afterwards. */
int typed_call_parse(const char *text, size_t len, struct source_pos pos,
		     char sides[][NAME_MAX_LEN], int side_count,
		     struct name_scope *scope, struct typed_call *out, struct diagnostics *diag);
void typed_call_done(struct typed_call *call);

/* Parses an address as written in a call; returns its length or 0. */
socklen_t address_parse(const char *text, size_t len, struct sockaddr_storage *out);

/* The state number of a name such as "ESTABLISHED", "TIME-WAIT", "UNCONN",
 * "gone" (0); -1 if unknown. */
int lesson_state_value(const char *name, size_t len);

#endif
