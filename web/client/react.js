// useTrainingProgress: the live state of one training job in a React component, built on
// watchTraining. React is a peer dependency: this file imports "react" and bundles nothing.

import { useEffect, useRef, useState } from 'react';
import { watchTraining } from './levain-client.js';

/**
 * Watches the job while the component is mounted and `tenantId`, `jobId` and `token` are set;
 * re-subscribes when `baseUrl`, `tenantId`, `jobId`, `token` or `maxRate` change (a new rate is a
 * new URL). Other options (callbacks, `transport`, `WebSocket`, `EventSource`, `reconnect`) are
 * read from the latest render without re-subscribing.
 * Returns { state, closeInfo }: `state` is null until the first update, `closeInfo` is null
 * while the watch goes on. `state` carries everything watchTraining folds: progress, products,
 * etaSeconds, elapsedSeconds, inFlight, accuracy, report, watchers, etaError.
 */
export function useTrainingProgress(options) {
  const { baseUrl, tenantId, jobId, token, maxRate } = options ?? {};
  const latest = useRef(options);
  latest.current = options;
  const [result, setResult] = useState({ state: null, closeInfo: null });

  useEffect(() => {
    if (!tenantId || !jobId || !token) {
      setResult({ state: null, closeInfo: null });
      return undefined;
    }
    let active = true; // callbacks from a handle we are closing must not overwrite a newer watch
    const opts = latest.current ?? {};
    const handle = watchTraining({
      ...opts,
      baseUrl,
      tenantId,
      jobId,
      token,
      maxRate,
      onUpdate(state) {
        if (!active) return;
        setResult({ state, closeInfo: null });
        latest.current?.onUpdate?.(state);
      },
      onClose(info) {
        if (!active) return;
        setResult({ state: info.state, closeInfo: info });
        latest.current?.onClose?.(info);
      },
    });
    return () => {
      active = false;
      handle.close();
    };
  }, [baseUrl, tenantId, jobId, token, maxRate]);

  return result;
}
