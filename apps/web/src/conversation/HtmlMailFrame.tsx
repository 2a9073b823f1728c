import { useEffect, useRef, useState } from "react";
import { mailDocument } from "./mail-frame";

const MIN_HEIGHT = 60;
const MAX_HEIGHT = 20_000;

/**
 * HTML mail in an iframe that may never run script: `sandbox` without allow-scripts (and
 * without forms or top navigation); allow-same-origin only so we can measure its height and
 * so cid: images (our attachment downloads) carry the session cookie. Links open in a new tab.
 */
export function HtmlMailFrame(props: { html: string; allowRemote: boolean; title: string }) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(120);
  const srcDoc = mailDocument(props.html, { origin: window.location.origin, allowRemote: props.allowRemote });

  useEffect(() => {
    const frame = ref.current;
    if (!frame) return;
    let observer: ResizeObserver | undefined;
    const measure = () => {
      const body = frame.contentDocument?.body;
      if (!body) return;
      // The body's own height, not the document's (which is at least the frame's current height).
      const content = Math.max(body.scrollHeight, Math.ceil(body.getBoundingClientRect().height));
      const h = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, content + 4));
      setHeight(h);
    };
    const onLoad = () => {
      measure();
      observer?.disconnect();
      const body = frame.contentDocument?.body;
      if (body && "ResizeObserver" in window) {
        observer = new ResizeObserver(measure);
        observer.observe(body);
      }
    };
    frame.addEventListener("load", onLoad);
    return () => {
      frame.removeEventListener("load", onLoad);
      observer?.disconnect();
    };
  }, []);

  return (
    <iframe
      ref={ref}
      className="mail-frame"
      title={props.title}
      sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
      referrerPolicy="no-referrer"
      srcDoc={srcDoc}
      style={{ height }}
      data-testid="mail-frame"
    />
  );
}
