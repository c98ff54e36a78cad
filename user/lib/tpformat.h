/* SPDX-License-Identifier: GPL-2.0 */
/* Read field offsets from tracefs events/CAT/NAME/format. */
#ifndef MMSCOPE_TPFORMAT_H
#define MMSCOPE_TPFORMAT_H

/* Offset of field in the tracepoint record, or -1 (missing event/field). */
int tp_field_offset(const char *cat, const char *event, const char *field);
/* 0 if field is at want_offset in CAT:EVENT, else -1 with an error printed. */
int tp_check_offset(const char *cmd, const char *cat, const char *event,
		    const char *field, int want_offset);

#endif
