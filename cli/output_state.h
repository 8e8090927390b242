/*
 * output_state.h - the operator's block of `uccn status` (SPEC 4.1,
 * server_state), in text and in JSON; output.c prints the rest.
 */
#ifndef UCCN_CLI_OUTPUT_STATE_H
#define UCCN_CLI_OUTPUT_STATE_H

#include "json.h"
#include "uccn_msg.h"

/* The block under "server state:", one figure a line; nothing when the
 * reply has none (the caller is a member). */
void output_state_text(const struct uccn_status_info *i);
/* The "server_state" key and its object, as on the wire; nothing when the
 * reply has none. */
void output_state_json(struct json *j, const struct uccn_status_info *i);

#endif
