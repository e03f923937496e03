// The camera and microphone. A call asks for them before it is placed or
// accepted; a person who has none, or refused them, is told why and where
// to fix it.

export class DeviceError extends Error {
  constructor(device, cause) {
    const denied = cause?.name === 'NotAllowedError' || cause?.name === 'SecurityError';
    super(denied
      ? `Parley may not use your ${device}. Allow it in the browser's site settings and try again.`
      : `No ${device} was found. Connect one and try again.`);
    this.device = device;
  }
}

// capture opens the microphone, and the camera when video is true.
export async function capture(video) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new DeviceError('microphone', {name: 'SecurityError'}); // not a secure context
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({audio: true});
  } catch (e) {
    throw new DeviceError('microphone', e);
  }
  if (video) {
    try {
      stream.addTrack(await openCamera());
    } catch (e) {
      stopAll(stream);
      throw e;
    }
  }
  return stream;
}

// openCamera opens the camera alone (also to turn it back on mid-call).
export async function openCamera() {
  try {
    const s = await navigator.mediaDevices.getUserMedia({video: {width: 640, height: 480}});
    return s.getVideoTracks()[0];
  } catch (e) {
    throw new DeviceError('camera', e);
  }
}

export function stopAll(stream) {
  stream?.getTracks().forEach((t) => t.stop());
}
