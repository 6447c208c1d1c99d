// Open a .bpmn file from disk; save the diagram as .bpmn, SVG or PNG. Everything happens in
// the page (blob URLs): nothing leaves the server but the draft itself.

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A text as a file the browser saves (the file as the server holds it, for example). */
export function downloadText(name, text) {
  download(name, new Blob([text], { type: 'application/xml' }));
}

export async function exportBpmn(modeler, base) {
  const { xml } = await modeler.saveXML({ format: true });
  download(`${base}.bpmn`, new Blob([xml], { type: 'application/xml' }));
}

export async function exportSvg(modeler, base) {
  const { svg } = await modeler.saveSVG();
  download(`${base}.svg`, new Blob([svg], { type: 'image/svg+xml' }));
}

export async function exportPng(modeler, base) {
  const { svg } = await modeler.saveSVG();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error('Không vẽ được ảnh PNG từ sơ đồ.'));
      image.src = url;
    });
    // Twice the size, so the picture stays sharp when printed or zoomed.
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(image.width * scale);
    canvas.height = Math.ceil(image.height * scale);
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    download(`${base}.png`, blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The text of a file the designer picked. */
export function readFile(file) {
  return file.text();
}
