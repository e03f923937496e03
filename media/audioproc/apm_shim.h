// A C face for WebRTC's AudioProcessing (libwebrtc-audio-processing 0.3,
// C++), 48 kHz mono, 10 ms frames of 480 int16 samples.
#ifndef PARLEY_APM_SHIM_H
#define PARLEY_APM_SHIM_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef struct parley_apm parley_apm;
parley_apm *parley_apm_new(void);
void parley_apm_free(parley_apm *a);
// Switches each stage on (1) or off (0); 0 or a library error code.
int parley_apm_set(parley_apm *a, int aec, int ns, int agc);
// One frame of what the speaker plays.
int parley_apm_far(parley_apm *a, const int16_t *frame);
// One frame of the microphone, processed in place; *voice is set.
int parley_apm_near(parley_apm *a, int16_t *frame, int delay_ms, int *voice);
// The echo canceller's delay estimate in ms (median, spread), -1 before one.
void parley_apm_delay(parley_apm *a, int *median, int *spread);
#ifdef __cplusplus
}
#endif
#endif
