// Touch on a phone: one finger pans the diagram, two fingers pinch-zoom it. diagram-js moves
// and zooms the canvas with a mouse or a wheel only, so a diagram larger than a phone's
// screen could not be reached otherwise. A tap stays a click (it selects an element).

// Narrower than this, a canvas is on a phone: a diagram is fitted to its height, not its
// width, and moved with a finger.
export const PHONE_WIDTH = 600;

function point(touches) {
  const [a, b] = touches;
  if (!b) return { x: a.clientX, y: a.clientY, distance: 0 };
  return {
    x: (a.clientX + b.clientX) / 2,
    y: (a.clientY + b.clientY) / 2,
    distance: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY)
  };
}

export function touchNavigation(canvas, container) {
  let last = null;
  const follow = (event) => { last = event.touches.length ? point(event.touches) : null; };
  container.addEventListener('touchstart', follow, { passive: true });
  container.addEventListener('touchend', follow, { passive: true });
  container.addEventListener('touchcancel', follow, { passive: true });
  container.addEventListener('touchmove', (event) => {
    if (!last || !event.touches.length) return;
    const now = point(event.touches);
    // The finger moves the diagram, not the page behind it.
    event.preventDefault();
    canvas.scroll({ dx: now.x - last.x, dy: now.y - last.y });
    if (now.distance && last.distance) {
      const rect = container.getBoundingClientRect();
      const scale = Math.min(4, Math.max(0.2, canvas.zoom() * now.distance / last.distance));
      canvas.zoom(scale, { x: now.x - rect.left, y: now.y - rect.top });
    }
    last = now;
  }, { passive: false });
}
