/* quiz — predict, then step.
 *
 * Before a step runs, the student predicts two things: what the call will
 * do (one of a few answers drawn from a table of what that call can return:
 * fd numbers around the lowest one free, 0, "some bytes", how many fds are
 * ready, "blocks", -1 with an errno the call gives), and the state of each
 * socket the step's expectations name (the lesson says which ends matter),
 * from the states lessons use. The lesson's own expectation is always one
 * of the answers, and the list does not give it away: answers are worded
 * and ordered the same whatever the lesson expects, and an errno the lesson
 * expects of a call anywhere is offered at every step of that call. (Only
 * an option value other than SO_ERROR, which the lab cannot know, is
 * offered around the lesson's number.) After
 * the step, every part is scored against what the kernel did, read from the
 * step's events, so the kernel, not the lesson, is the judge.
 *
 * Hints come on request: level 1 a nudge from a table keyed by the call and
 * the expected result ("Is anything listening on 127.0.0.1:65432 yet?"),
 * level 2 the answer. A part predicted after its answer was shown counts as
 * asked, never as right.
 *
 * The quiz knows nothing of curses or of how a step runs: it takes the step
 * before, and the step's events after. quiz_plain_ask and quiz_plain_tell
 * drive it over stdio for the transcript.
 */
#ifndef SOCKLAB_QUIZ_H
#define SOCKLAB_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lesson.h"
#include "session.h"

#define QUIZ_MAX_ANSWERS 10
#define QUIZ_MAX_SOCKETS 8
#define QUIZ_LABEL_MAX 48
#define QUIZ_NONE (-1)          /* no answer chosen */

/* The states a student picks from, in the order a connection meets them:
 * the names of lesson_state_value ("BOUND" for a TCP socket with an
 * address, neither listening nor connected; "gone": no such socket). */
extern const char *const quiz_states[];
extern const size_t quiz_state_count;

enum quiz_answer_kind {
	ANSWER_FD,          /* a new file descriptor, any number >= 0: the lesson's `fd`
	                       (offered as numbers) */
	ANSWER_RETURNS,     /* exactly `value`: 0, an fd number, a byte count */
	ANSWER_SOME,        /* a count > 0: some bytes received, some fds ready */
	ANSWER_PART,        /* a byte count > 0 and < `value`: a short send */
	ANSWER_SUCCEEDS,    /* anything >= 0 */
	ANSWER_VALUE,       /* >= 0, and the option or flags read are `value` */
	ANSWER_FAILS,       /* -1 with errno `error` */
	ANSWER_BLOCKS,      /* the kernel puts the caller to sleep */
};

struct quiz_answer {
	enum quiz_answer_kind kind;
	long value;
	int error;
	char label[QUIZ_LABEL_MAX];     /* as shown: "3", "-1 ECONNREFUSED",
	                                   "0 (the peer closed)", "1 ready" */
};

/* A socket whose state the student predicts. */
struct quiz_socket {
	const struct expectation *expectation;   /* borrowed from the step: the first naming it */
	bool after_wake;                /* asked of the moment after the calls the step
	                                   woke returned */
	char label[QUIZ_LABEL_MAX];     /* "client c", "server (accept queue)" */
};

/* The questions of one step. Everything is borrowed from the lesson. */
struct quiz_choices {
	const struct lesson *lesson;
	const struct lesson_step *step;
	struct quiz_answer answers[QUIZ_MAX_ANSWERS];
	size_t answer_count;
	struct quiz_socket sockets[QUIZ_MAX_SOCKETS];
	size_t socket_count;
};

struct quiz_prediction {
	int answer;                             /* index into answers, or QUIZ_NONE */
	int states[QUIZ_MAX_SOCKETS];           /* index into quiz_states, or QUIZ_NONE */
	bool answer_revealed;                   /* chosen after hint level 2 showed it */
	bool states_revealed[QUIZ_MAX_SOCKETS];
};

enum quiz_verdict {
	QUIZ_UNANSWERED,    /* no prediction: not counted */
	QUIZ_RIGHT,
	QUIZ_WRONG,
	QUIZ_REVEALED,      /* predicted after the answer was shown: asked, not right */
	QUIZ_NOT_RUN,       /* the call was not made (skipped, or its side still
	                       blocked): not counted */
};

struct quiz_part {
	enum quiz_verdict verdict;
	char kernel[QUIZ_LABEL_MAX];    /* what the kernel did, in the answers' words: "0",
	                                   "blocks", "SYN-SENT" */
	char line[160];                 /* "you said -1 ECONNREFUSED; the kernel said 0" */
};

struct quiz_score {
	struct quiz_part answer;
	struct quiz_part states[QUIZ_MAX_SOCKETS];
	size_t state_count;
	unsigned right;                 /* parts right in this step */
	unsigned asked;                 /* parts counted: right, wrong or revealed */
};

/* A run's score, for progress_record_quiz. */
struct quiz_tally {
	unsigned right, asked;
};

/* The questions of `step` (one of lesson's steps). A call the answer table
 * has no row for (added to the catalog since) gets no answers, only its
 * state questions. */
void quiz_choices(const struct lesson *lesson, const struct lesson_step *step,
		  struct quiz_choices *out);

/* How many answers the answer table offers for `call` besides the lesson's
 * own (0: no row, so only the states are asked). */
size_t quiz_call_answer_count(enum call_id call);

/* Nothing predicted yet. */
void quiz_prediction_init(struct quiz_prediction *prediction);

/* Scores `prediction` against the events of the step (all with the same
 * .step, in log order: the call's own event first, then calls it woke). */
void quiz_score(const struct quiz_choices *choices, const struct quiz_prediction *prediction,
		const struct lab_event *events, size_t count, struct quiz_score *out);

/* A hint into out: level 1 a nudge, level 2 (or more) the answer the lesson
 * expects. Returns the level given. */
int quiz_hint(const struct quiz_choices *choices, int level, char *out, size_t size);

/* One step of the transcript's quiz. */
struct quiz_turn {
	struct quiz_choices choices;
	struct quiz_prediction prediction;
	int hint_level;                 /* the highest hint shown */
};

/* Before the step lesson->steps[step_index] runs: prints the questions
 * numbered and reads one line an answer from `in`: a number, 'h' for a
 * hint, or an empty line to skip. When `in` is not a terminal, what was
 * read is echoed, so a scripted transcript reads like a session. Returns 0,
 * or 1 when the input ended (the rest is left unanswered: stop asking). */
int quiz_plain_ask(FILE *in, FILE *out, const struct lesson *lesson, size_t step_index,
		   struct quiz_turn *turn);

/* After the step: prints each part beside what the kernel did, and the
 * score so far; adds this step's parts to *tally. Call it only with a turn
 * quiz_plain_ask filled in; a turn with nothing asked prints nothing. */
void quiz_plain_tell(FILE *out, const struct quiz_turn *turn, const struct lab_event *events,
		     size_t count, struct quiz_tally *tally);

#endif
