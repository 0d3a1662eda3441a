/* plan_main.c: the main() of a generated binary, for a hand-written plan:
 * compiled with -DPLAN_NAME=<plan>. */
#include "migc/migc.h"

extern const struct migc_plan PLAN_NAME;

int main(int argc, char **argv)
{
    return migc_main(&PLAN_NAME, argc, argv);
}
