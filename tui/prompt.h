/* prompt.h — a one-line text input in the status line (notes now; reasons
 * for overrides and typed confirmations later). */
#ifndef CUTOVER_PROMPT_H
#define CUTOVER_PROMPT_H

#define PROMPT_MAX 512

struct prompt {
    int active;
    char label[160];
    char text[PROMPT_MAX];
    int len;
};

enum prompt_result { PROMPT_EDITING, PROMPT_DONE, PROMPT_CANCELLED };

void prompt_open(struct prompt *p, const char *label);
/* Feeds one key; on PROMPT_DONE the text is copied to out (PROMPT_MAX). */
int prompt_key(struct prompt *p, int ch, char *out);

#endif
