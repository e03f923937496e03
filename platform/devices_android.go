package platform

/*
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>

// granted calls Context.checkSelfPermission(perm) and tells whether it is
// PERMISSION_GRANTED (0). Before Android 6 there is no such method:
// permissions were granted at install.
static int granted(uintptr_t envp, uintptr_t ctxp, const char *perm) {
	JNIEnv *env = (JNIEnv *)envp;
	jobject ctx = (jobject)ctxp;
	jclass cls = (*env)->GetObjectClass(env, ctx);
	jmethodID m = (*env)->GetMethodID(env, cls, "checkSelfPermission", "(Ljava/lang/String;)I");
	(*env)->DeleteLocalRef(env, cls);
	if (m == NULL) {
		(*env)->ExceptionClear(env);
		return 1;
	}
	jstring s = (*env)->NewStringUTF(env, perm);
	jint r = (*env)->CallIntMethod(env, ctx, m, s);
	(*env)->DeleteLocalRef(env, s);
	if ((*env)->ExceptionCheck(env)) {
		(*env)->ExceptionClear(env);
		return 0;
	}
	return r == 0;
}
*/
import "C"

import (
	"unsafe"

	"fyne.io/fyne/v2/driver"
)

// Devices returns the camera and microphone gate of this system.
func Devices() DeviceGate { return DeviceGate{} }

// DeviceGate is the camera and microphone gate of Android: the runtime
// permissions CAMERA and RECORD_AUDIO, which the manifest must list.
// Asking for them is left to the system's settings for now.
type DeviceGate struct{}

func (DeviceGate) Microphone() error { return permission("android.permission.RECORD_AUDIO") }
func (DeviceGate) Camera() error     { return permission("android.permission.CAMERA") }

// permission is nil when the app holds the runtime permission name.
func permission(name string) error {
	answer := errDenied
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	driver.RunNative(func(ctx any) error {
		if a, ok := ctx.(*driver.AndroidContext); ok && C.granted(C.uintptr_t(a.Env), C.uintptr_t(a.Ctx), cname) != 0 {
			answer = nil
		}
		return nil
	})
	return answer
}
