// The package manager builds a C target from its sources; the module is its header alone.
#include "CEpoll.h"
