#include "apm_shim.h"

#include <string.h>

#include <webrtc/common.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

namespace {
const int kRate = 48000;
const size_t kFrame = 480;
}  // namespace

struct parley_apm {
  webrtc::AudioProcessing *apm;
  // WebRTC's names for the far and near streams: windows.h defines far
  // and near as macros.
  webrtc::AudioFrame reverse;
  webrtc::AudioFrame capture;
};

static void setup_frame(webrtc::AudioFrame *f) {
  f->sample_rate_hz_ = kRate;
  f->num_channels_ = 1;
  f->samples_per_channel_ = kFrame;
}

extern "C" parley_apm *parley_apm_new(void) {
  webrtc::Config config;
  // The delay between playout and capture is estimated by the canceller
  // itself (the reported delay is a hint), and the extended filter covers
  // a longer echo tail with steadier adaptation.
  config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
  // The experimental AGC drives an analog microphone volume; we have none.
  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create(config);
  if (apm == NULL) return NULL;
  webrtc::ProcessingConfig pc = {{webrtc::StreamConfig(kRate, 1), webrtc::StreamConfig(kRate, 1),
                                  webrtc::StreamConfig(kRate, 1), webrtc::StreamConfig(kRate, 1)}};
  if (apm->Initialize(pc) != 0) {
    delete apm;
    return NULL;
  }
  apm->echo_cancellation()->enable_drift_compensation(false);
  apm->echo_cancellation()->set_suppression_level(webrtc::EchoCancellation::kHighSuppression);
  apm->echo_cancellation()->enable_metrics(true);
  apm->echo_cancellation()->enable_delay_logging(true);
  apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
  apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
  apm->gain_control()->set_target_level_dbfs(3);
  apm->gain_control()->set_compression_gain_db(9);
  apm->gain_control()->enable_limiter(true);
  apm->voice_detection()->set_likelihood(webrtc::VoiceDetection::kModerateLikelihood);
  apm->voice_detection()->Enable(true);
  parley_apm *a = new parley_apm;
  a->apm = apm;
  setup_frame(&a->reverse);
  setup_frame(&a->capture);
  return a;
}

extern "C" void parley_apm_free(parley_apm *a) {
  if (a == NULL) return;
  delete a->apm;
  delete a;
}

extern "C" int parley_apm_set(parley_apm *a, int aec, int ns, int agc) {
  int err;
  if ((err = a->apm->echo_cancellation()->Enable(aec != 0)) != 0) return err;
  if ((err = a->apm->noise_suppression()->Enable(ns != 0)) != 0) return err;
  if ((err = a->apm->high_pass_filter()->Enable(ns != 0)) != 0) return err;
  if ((err = a->apm->gain_control()->Enable(agc != 0)) != 0) return err;
  return 0;
}

extern "C" int parley_apm_far(parley_apm *a, const int16_t *frame) {
  setup_frame(&a->reverse);
  memcpy(a->reverse.data_, frame, kFrame * sizeof(int16_t));
  return a->apm->ProcessReverseStream(&a->reverse);
}

extern "C" int parley_apm_near(parley_apm *a, int16_t *frame, int delay_ms, int *voice) {
  setup_frame(&a->capture);
  memcpy(a->capture.data_, frame, kFrame * sizeof(int16_t));
  if (a->apm->echo_cancellation()->is_enabled()) a->apm->set_stream_delay_ms(delay_ms);
  int err = a->apm->ProcessStream(&a->capture);
  memcpy(frame, a->capture.data_, kFrame * sizeof(int16_t));
  *voice = a->apm->voice_detection()->stream_has_voice() ? 1 : 0;
  return err;
}

extern "C" void parley_apm_delay(parley_apm *a, int *median, int *spread) {
  *median = -1;
  *spread = -1;
  if (!a->apm->echo_cancellation()->is_enabled()) return;
  if (a->apm->echo_cancellation()->GetDelayMetrics(median, spread) != 0) {
    *median = -1;
    *spread = -1;
  }
}
