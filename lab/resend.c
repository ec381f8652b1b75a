/* resend — copies of a held segment, released or dropped as one. */
#include "resend.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

void resend_clear(struct resend_table *table)
{
	memset(table, 0, sizeof *table);
}

static bool same(const struct resend_key *key, const struct held_segment *segment)
{
	return key->flag_bits == segment->flag_bits && key->raw_seq == segment->raw_seq
	       && key->length == segment->payload_length && strcmp(key->source, segment->source_text) == 0
	       && strcmp(key->destination, segment->destination_text) == 0;
}

static struct resend_key *find(struct resend_table *table, const struct held_segment *segment)
{
	for (size_t i = 0; i < table->count; i++)
		if (same(&table->keys[i], segment))
			return &table->keys[i];
	return NULL;
}

static struct resend_key *add(struct resend_table *table, const struct held_segment *segment)
{
	struct resend_key *key = &table->keys[0];
	if (table->count < RESEND_KEYS_MAX) {
		key = &table->keys[table->count++];
	} else {
		for (size_t i = 1; i < table->count; i++)
			if (table->keys[i].used < key->used)
				key = &table->keys[i];
	}
	memset(key, 0, sizeof *key);
	snprintf(key->source, sizeof key->source, "%s", segment->source_text);
	key->flag_bits = segment->flag_bits;
	snprintf(key->destination, sizeof key->destination, "%s", segment->destination_text);
	key->raw_seq = segment->raw_seq;
	key->length = segment->payload_length;
	key->last_us = segment->held_at_us;
	return key;
}

static bool announced(const struct resend_table *table, uint32_t id)
{
	for (size_t i = 0; i < table->announced_count; i++)
		if (table->announced[i] == id)
			return true;
	return false;
}

static void announce(struct resend_table *table, uint32_t id)
{
	if (table->announced_count == RESEND_ANNOUNCED_MAX) {
		memmove(table->announced, table->announced + 1, sizeof table->announced - sizeof table->announced[0]);
		table->announced_count--;
	}
	table->announced[table->announced_count++] = id;
}

/* Only segments that take sequence space are resent by a timer. */
static bool resendable(const struct held_segment *segment)
{
	return segment->decoded && (segment->payload_length || (segment->flag_bits & 0x03));   /* data, SYN, FIN */
}

int resend_tidy(struct resend_table *table, struct hold *hold, bool drop_duplicates, resend_sender_fn *sender,
		void *context, char *said, size_t size, char **err)
{
	int copies = 0;
	size_t at = strlen(said);
	for (size_t i = 0; i < hold_count(hold);) {
		const struct held_segment *segment = hold_peek(hold, i);
		if (!resendable(segment) || announced(table, segment->id)) {
			i++;
			continue;
		}
		struct resend_key *key = find(table, segment);
		announce(table, segment->id);
		if (!key) {
			key = add(table, segment);
			key->used = ++table->clock;
			i++;
			continue;   /* the original */
		}
		key->used = ++table->clock;
		long long timer_s = (segment->held_at_us - key->last_us + 500000) / 1000000;
		key->last_us = segment->held_at_us;
		const char *name = sender ? sender(context, segment) : NULL;
		bool duplicate = key->through && drop_duplicates;
		const char *what = duplicate      ? _("the first went through, so the lab dropped this copy")
				   : key->through ? _("the first went through; this copy is held too")
				   : key->dropped ? _("the one before was dropped, this copy is held")
						  : _("a copy of the one still held (release() lets one through)");
		char sentence[320];
		if (name)
			snprintf(sentence, sizeof sentence,
				 _("the kernel resent the %s from %s (retransmission timer, %lld s after the one before): %s"),
				 segment->flags, name, timer_s, what);
		else
			snprintf(sentence, sizeof sentence,
				 _("the kernel resent the %s (retransmission timer, %lld s after the one before): %s"),
				 segment->flags, timer_s, what);
		/* Whole sentences only; "..." once when the rest does not fit. */
		if (at + 2 + strlen(sentence) + 5 < size)
			at += (size_t)snprintf(said + at, size - at, "%s%s", at ? "; " : "", sentence);
		else if (at + 5 < size && (at < 3 || strcmp(said + at - 3, "...") != 0))
			at += (size_t)snprintf(said + at, size - at, "; ...");
		copies++;
		key->dropped = false;
		if (duplicate) {
			if (hold_drop_at(hold, i, err) < 0)
				return -1;
			i = 0;   /* the drop collected: start over (announced copies are skipped) */
			continue;
		}
		i++;
	}
	return copies;
}

int resend_release_at(struct resend_table *table, struct hold *hold, size_t index, bool drop_copies, char **err)
{
	const struct held_segment *segment = hold_peek(hold, index);
	if (!segment)
		return hold_release_at(hold, index, err);
	struct held_segment released = *segment;
	if (hold_release_at(hold, index, err) < 0)
		return -1;
	if (!resendable(&released))
		return 0;
	struct resend_key *key = find(table, &released);
	if (!key)
		key = add(table, &released);
	key->through = true;
	key->used = ++table->clock;
	announce(table, released.id);
	/* The other copies would reach the receiver as duplicates. */
	for (size_t i = 0; drop_copies && i < hold_count(hold);) {
		const struct held_segment *copy = hold_peek(hold, i);
		if (same(key, copy)) {
			announce(table, copy->id);
			if (hold_drop_at(hold, i, err) < 0)
				return -1;
			i = 0;
			continue;
		}
		i++;
	}
	return 0;
}

int resend_drop_at(struct resend_table *table, struct hold *hold, size_t index, char **err)
{
	const struct held_segment *segment = hold_peek(hold, index);
	if (segment && resendable(segment)) {
		struct resend_key *key = find(table, segment);
		if (!key)
			key = add(table, segment);
		key->used = ++table->clock;
		key->dropped = true;
		announce(table, segment->id);
	}
	return hold_drop_at(hold, index, err);
}
