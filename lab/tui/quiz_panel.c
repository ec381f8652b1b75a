/* quiz_panel — predict, then step, on the lesson screen.
 *
 * In predict mode, space opens a panel over the bottom of the screen
 * instead of running the step: first what the call will return (the
 * choices quiz_choices draws from the catalog), then the state of each
 * socket the step names. Digits or arrows and Enter pick, h gives a hint
 * (a nudge, then the answer), Esc (or space, or a clicker's PgDn) skips
 * the rest. The last answer runs the step; the panel then shows each part
 * beside what the kernel did, as quiz_score judged it, until the next
 * step's questions open. Nothing here judges: the panel asks, the quiz
 * scores, the header shows the tally. */
#include "quiz_panel.h"

#include "tui_state.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrap.h"
#include "i18n.h"

#define ESCAPE 27

enum { HINT_ROWS = 2, CELL_GAP = 2 };

static const char *const verdict_words[] = {
	[QUIZ_UNANSWERED] = N_("skipped"),
	[QUIZ_RIGHT] = N_("right"),
	[QUIZ_WRONG] = N_("WRONG"),
	[QUIZ_REVEALED] = N_("shown"),
	[QUIZ_NOT_RUN] = N_("not run"),
};
_Static_assert(sizeof verdict_words / sizeof verdict_words[0] == QUIZ_NOT_RUN + 1,
	       "every verdict has a word");

void quiz_panel_reset(struct tui *tui)
{
	bool on = tui->quiz.on;
	memset(&tui->quiz, 0, sizeof tui->quiz);
	tui->quiz.on = on;
}

void quiz_panel_close(struct tui *tui)
{
	tui->quiz.asking = false;
	tui->quiz.told = false;
}

/* The question on screen asks for the call's result (else a socket's state). */
static bool asking_result(const struct quiz_panel *quiz)
{
	return quiz->choices.answer_count > 0 && quiz->question == 0;
}

static size_t socket_question(const struct quiz_panel *quiz)
{
	return quiz->question - (quiz->choices.answer_count > 0 ? 1 : 0);
}

static size_t choice_count(const struct quiz_panel *quiz)
{
	return asking_result(quiz) ? quiz->choices.answer_count : quiz_state_count;
}

static const char *choice_label(const struct quiz_panel *quiz, size_t index)
{
	return asking_result(quiz) ? quiz->choices.answers[index].label : quiz_states[index];
}

bool quiz_panel_before_step(struct tui *tui)
{
	struct quiz_panel *quiz = &tui->quiz;
	if (!quiz->on || tui->play || !tui->session)
		return false;
	if (quiz->asking) {
		tui_message(tui, "%s", _("pick an answer first (h a hint, Esc skips)"));
		return true;
	}
	if (tui->half < tui->view.half_count)
		return false;   /* the second half of a step: no new call */
	size_t index = session_steps_done(tui->session);
	if (index >= tui->lesson->step_count)
		return false;
	quiz_choices(tui->lesson, &tui->lesson->steps[index], &quiz->choices);
	quiz->question_count =
		(quiz->choices.answer_count > 0 ? 1 : 0) + quiz->choices.socket_count;
	if (quiz->question_count == 0) {
		quiz->told = false;
		return false;   /* nothing to predict: the step just runs */
	}
	quiz_prediction_init(&quiz->prediction);
	quiz->asking = true;
	quiz->told = false;
	quiz->question = 0;
	quiz->cursor = 0;
	quiz->pending = 0;
	quiz->hint_level = 0;
	quiz->hint[0] = '\0';
	return true;
}

/* The questions are done (or skipped): the step runs and the quiz scores it. */
static void run_and_score(struct tui *tui)
{
	struct quiz_panel *quiz = &tui->quiz;
	quiz->asking = false;
	size_t before, count;
	session_events(tui->session, &before);
	if (!quiz->advance || !quiz->advance(tui))
		return;
	const struct lab_event *events = session_events(tui->session, &count);
	quiz_score(&quiz->choices, &quiz->prediction, events + before, count - before,
		   &quiz->score);
	quiz->tally.right += quiz->score.right;
	quiz->tally.asked += quiz->score.asked;
	quiz->score_step = session_steps_done(tui->session);
	quiz->told = true;
	if (tui->progress && quiz->tally.asked) {
		char *err = NULL;
		if (progress_record_quiz(tui->progress, tui->lesson->name, quiz->tally.right,
					 quiz->tally.asked, &err) < 0)
			tui_message(tui, _("progress: %s"), err ? err : _("out of memory"));
		else
			tui->progress_dirty = true;
		free(err);
	}
}

static void choose(struct tui *tui, size_t index)
{
	struct quiz_panel *quiz = &tui->quiz;
	bool revealed = quiz->hint_level >= 2;
	if (asking_result(quiz)) {
		quiz->prediction.answer = (int)index;
		quiz->prediction.answer_revealed = revealed;
	} else {
		size_t socket = socket_question(quiz);
		quiz->prediction.states[socket] = (int)index;
		quiz->prediction.states_revealed[socket] = revealed;
	}
	quiz->question++;
	quiz->cursor = 0;
	quiz->pending = 0;
	if (quiz->question >= quiz->question_count)
		run_and_score(tui);
}

/* A digit: picks at once, unless a second digit could still follow (1 of
 * 13 states: 1, or 10 to 13), then waits for it or for Enter. */
static void digit(struct tui *tui, int value)
{
	struct quiz_panel *quiz = &tui->quiz;
	size_t count = choice_count(quiz);
	if (quiz->pending) {
		int number = quiz->pending * 10 + value;
		quiz->pending = 0;
		if (number >= 1 && (size_t)number <= count) {
			choose(tui, (size_t)number - 1);
			return;
		}
	}
	if (value < 1 || (size_t)value > count) {
		tui_message(tui, _("1 to %zu picks an answer"), count);
		return;
	}
	if ((size_t)value * 10 <= count) {
		quiz->pending = value;
		quiz->cursor = value - 1;
		return;
	}
	choose(tui, (size_t)value - 1);
}

bool quiz_panel_key(struct tui *tui, int key)
{
	struct quiz_panel *quiz = &tui->quiz;
	if (!quiz->asking)
		return false;
	int count = (int)choice_count(quiz);
	switch (key) {
	case KEY_UP:
	case KEY_LEFT:
	case 'k':
		quiz->pending = 0;
		quiz->cursor = quiz->cursor > 0 ? quiz->cursor - 1 : count - 1;
		return true;
	case KEY_DOWN:
	case KEY_RIGHT:
	case 'j':
	case '\t':
		quiz->pending = 0;
		quiz->cursor = quiz->cursor + 1 < count ? quiz->cursor + 1 : 0;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		choose(tui, quiz->pending ? (size_t)quiz->pending - 1 : (size_t)quiz->cursor);
		return true;
	case 'h':
		quiz->hint_level = quiz_hint(&quiz->choices, quiz->hint_level + 1, quiz->hint,
					     sizeof quiz->hint);
		return true;
	case ESCAPE:
	case ' ':
	case KEY_NPAGE:   /* a clicker: skip the questions, step */
		run_and_score(tui);
		return true;
	case KEY_PPAGE:
		return false;   /* back a step: the lesson's (going back closes the panel) */
	case KEY_BACKSPACE:
	case 127:
	case 8:
		quiz->pending = 0;
		return true;
	case 'q':
	case 'Q':
	case 'p':
	case '?':
	case KEY_F(1):
	case KEY_RESIZE:
		return false;   /* quit, predict off, help: the screen's own keys */
	default:
		if (key >= '0' && key <= '9') {
			digit(tui, key - '0');
			return true;
		}
		tui_message(tui, _("1-%d or arrows and Enter pick, h a hint, Esc skips"), count);
		return true;
	}
}

void quiz_panel_header(const struct tui *tui, char *out, size_t size)
{
	if (!tui->quiz.on)
		snprintf(out, size, "%s", "");
	else
		snprintf(out, size, _("quiz %u/%u"), tui->quiz.tally.right, tui->quiz.tally.asked);
}

/* ---- layout -------------------------------------------------------------- */

static int cell_width(const struct quiz_panel *quiz)
{
	int widest = 0;
	for (size_t i = 0; i < choice_count(quiz); i++) {
		int columns = draw_columns(choice_label(quiz, i));
		if (columns > widest)
			widest = columns;
	}
	int number = choice_count(quiz) >= 10 ? 2 : 1;
	return 1 + number + 1 + widest + CELL_GAP;   /* ">12 label  " */
}

static int cells_per_row(const struct quiz_panel *quiz, int width)
{
	int per_row = (width - 4) / cell_width(quiz);
	return per_row < 1 ? 1 : per_row;
}

static int hint_rows(const struct quiz_panel *quiz, int width)
{
	if (!quiz->hint[0])
		return 0;
	struct wrap_line lines[HINT_ROWS + 1];
	size_t count = wrap_text(quiz->hint, width - 12, lines, HINT_ROWS + 1);
	return count < HINT_ROWS ? (int)count : HINT_ROWS;
}

/* The parts the told panel lists: the result (when asked), then each socket. */
static size_t told_lines(const struct quiz_panel *quiz)
{
	if (quiz->score.answer.verdict == QUIZ_NOT_RUN)
		return 1;
	return (quiz->choices.answer_count > 0 ? 1 : 0) + quiz->score.state_count;
}

int quiz_panel_rows(const struct tui *tui, int width)
{
	const struct quiz_panel *quiz = &tui->quiz;
	if (quiz->asking) {
		int per_row = cells_per_row(quiz, width);
		int grid = ((int)choice_count(quiz) + per_row - 1) / per_row;
		/* box, question, choices, hint, keys */
		return 2 + 1 + grid + hint_rows(quiz, width) + 1;
	}
	if (quiz->told)
		return 2 + (int)told_lines(quiz);
	return 0;
}

/* ---- drawing ------------------------------------------------------------- */

static void panel_box(struct tui *tui, int y, int width, int rows, const char *title,
		      const char *right)
{
	const struct tui_style *style = &tui->style;
	/* The panel covers what is under it. */
	attrset(style->roles[ROLE_NORMAL]);
	for (int row = y; row < y + rows; row++)
		mvhline(row, 0, ' ', width);
	draw_box(y, 0, rows, width, style->roles[ROLE_BORDER]);
	int right_columns = draw_columns(right);
	int x = 2
		+ draw_string(style, y, 2, title, width - 6 - right_columns,
			      style->roles[ROLE_FOCUSED]);
	if (right[0] && x + right_columns + 2 < width)
		draw_string(style, y, width - 2 - right_columns, right, right_columns,
			    style->roles[ROLE_FOCUSED]);
}

static void asking_draw(struct tui *tui, int y, int width, int rows)
{
	const struct tui_style *style = &tui->style;
	struct quiz_panel *quiz = &tui->quiz;
	const struct lesson_step *step = quiz->choices.step;
	char title[200], score[48], question[200];
	snprintf(title, sizeof title, _(" predict step %zu/%zu  %s: %s "),
		 session_steps_done(tui->session) + 1, tui->lesson->step_count,
		 tui->view.info->sides[step->call.side], step->call.text);
	char tally[32];
	quiz_panel_header(tui, tally, sizeof tally);
	snprintf(score, sizeof score, " %s ", tally);
	panel_box(tui, y, width, rows, title, score);
	int row = y + 1;
	if (asking_result(quiz)) {
		snprintf(question, sizeof question, _("What will %s() do?"), step->call.def->name);
	} else {
		const struct quiz_socket *socket = &quiz->choices.sockets[socket_question(quiz)];
		snprintf(question, sizeof question,
			 socket->after_wake
				 ? _("The state of %s, once the woken call has returned?")
				 : _("The state of %s after the step?"),
			 socket->label);
	}
	int x = 2 + draw_string(style, row, 2, question, width - 4, style->roles[ROLE_NEXT]);
	char which[48];
	snprintf(which, sizeof which, _("  (%zu of %zu)"), quiz->question + 1,
		 quiz->question_count);
	x += draw_string(style, row, x, which, width - 2 - x, style->roles[ROLE_DIM]);
	if (quiz->pending) {
		char pending[32];
		snprintf(pending, sizeof pending, "  %d_", quiz->pending);
		draw_string(style, row, x, pending, width - 2 - x, style->roles[ROLE_KEY]);
	}
	row++;
	int per_row = cells_per_row(quiz, width), cell = cell_width(quiz);
	int number_columns = choice_count(quiz) >= 10 ? 2 : 1;
	for (size_t i = 0; i < choice_count(quiz); i++) {
		int cell_y = row + (int)i / per_row, cell_x = 2 + (int)i % per_row * cell;
		bool on = (int)i == quiz->cursor;
		attr_t attr = on ? style->roles[ROLE_SELECTED] : style->roles[ROLE_NORMAL];
		char text[QUIZ_LABEL_MAX + 16];
		snprintf(text, sizeof text, "%s%*zu %s", on ? ">" : " ", number_columns, i + 1,
			 choice_label(quiz, i));
		draw_string(style, cell_y, cell_x, text, cell - CELL_GAP, attr);
	}
	row += ((int)choice_count(quiz) + per_row - 1) / per_row;
	if (quiz->hint[0]) {
		struct wrap_line lines[HINT_ROWS + 1];
		size_t count = wrap_text(quiz->hint, width - 12, lines, HINT_ROWS + 1);
		draw_string(style, row, 2, quiz->hint_level >= 2 ? _("answer") : _("hint"), 7,
			    style->roles[ROLE_LABEL]);
		for (size_t i = 0; i < count && i < HINT_ROWS; i++)
			draw_text(style, row++, 10, lines[i].start, lines[i].len, width - 12,
				  style->roles[ROLE_NORMAL]);
	}
	int key_x = 2;
	char numbers[16];
	snprintf(numbers, sizeof numbers, "1-%zu", choice_count(quiz));
	if (draw_key_label(style, row, &key_x, width - 2, numbers, _("pick")))
		if (draw_key_label(style, row, &key_x, width - 2, "Up Down Enter", _("choose")))
			if (draw_key_label(style, row, &key_x, width - 2, "h",
					   quiz->hint_level ? _("the answer") : _("a hint")))
				draw_key_label(style, row, &key_x, width - 2, "Esc", _("skip"));
}

static void told_draw(struct tui *tui, int y, int width, int rows)
{
	const struct tui_style *style = &tui->style;
	const struct quiz_panel *quiz = &tui->quiz;
	char title[96], score[96], tally[32];
	snprintf(title, sizeof title, _(" step %zu: what you said, what the kernel did "),
		 quiz->score_step);
	quiz_panel_header(tui, tally, sizeof tally);
	snprintf(score, sizeof score, _(" %u of %u this step, %s "), quiz->score.right,
		 quiz->score.asked, tally);
	panel_box(tui, y, width, rows, title, score);
	const struct quiz_part *parts[QUIZ_MAX_SOCKETS + 1];
	size_t count = 0;
	if (quiz->score.answer.verdict == QUIZ_NOT_RUN || quiz->choices.answer_count > 0)
		parts[count++] = &quiz->score.answer;
	for (size_t i = 0;
	     quiz->score.answer.verdict != QUIZ_NOT_RUN && i < quiz->score.state_count; i++)
		parts[count++] = &quiz->score.states[i];
	for (size_t i = 0; i < count && 1 + (int)i < rows - 1; i++) {
		const struct quiz_part *part = parts[i];
		enum tui_role word_role = part->verdict == QUIZ_RIGHT ? ROLE_CHANGED
					  : part->verdict == QUIZ_WRONG ? ROLE_FAILED
									: ROLE_DIM;
		draw_string(style, y + 1 + (int)i, 2, _(verdict_words[part->verdict]), 8,
			    style->roles[word_role]);
		draw_string(style, y + 1 + (int)i, 11, part->line, width - 13,
			    style->roles[ROLE_NORMAL]);
	}
}

void quiz_panel_draw(struct tui *tui, int y, int width, int rows)
{
	if (rows <= 2)
		return;
	if (tui->quiz.asking)
		asking_draw(tui, y, width, rows);
	else if (tui->quiz.told)
		told_draw(tui, y, width, rows);
}

void quiz_panel_help(struct tui_page *page, int width)
{
	page_add(page, "%s", "");
	page_add(page, "%s", _("The predict panel (p)"));
	page_add(page, "%s", "");
	page_add_key_row(
		page, "1-9, 10-13",
		_("pick that answer (a 1 waits for a second digit when there are 10 or more)"),
		width);
	page_add_key_row(page, "Up Down Enter", _("move to an answer and pick it"), width);
	page_add_key_row(page, "h",
			 _("a hint; again: the answer (an answer picked after it is shown counts "
			   "as asked, not right)"),
			 width);
	page_add_key_row(page, "Esc space PgDn",
			 _("skip the rest of the questions: the step runs, what was not predicted "
			   "is not counted"),
			 width);
}
