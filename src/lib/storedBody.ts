/**
 * Event bodies as D1 stores them: new events keep their text deflated
 * (raw DEFLATE of its UTF-8 bytes, about a third of the size) in
 * `events.body_deflated` and an empty `body`; events stored before keep their
 * text in `body`. What is read back is the text exactly as received, a BOM
 * included, so what is signed and delivered stays byte-identical.
 */

/** The columns an event's body is stored in. */
export interface StoredBody {
	body: string;
	/** D1 hands a BLOB back as an array of numbers (or an ArrayBuffer, as bound); null for a body kept as text. */
	bodyDeflated: Uint8Array | ArrayBuffer | number[] | null;
}

async function pipe(bytes: Uint8Array, through: CompressionStream | DecompressionStream): Promise<Uint8Array> {
	const stream = new Blob([bytes]).stream().pipeThrough(through);
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The columns to write for `text`. */
export async function storeBody(text: string): Promise<{ body: string; bodyDeflated: Uint8Array }> {
	return { body: "", bodyDeflated: await pipe(new TextEncoder().encode(text), new CompressionStream("deflate-raw")) };
}

/** The text as received, from whichever column holds it. */
export async function readBody({ body, bodyDeflated }: StoredBody): Promise<string> {
	if (bodyDeflated === null) return body;
	const bytes = bodyDeflated instanceof Uint8Array ? bodyDeflated : new Uint8Array(bodyDeflated);
	// ignoreBOM: a BOM the sender sent is part of the text, and is delivered.
	return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(await pipe(bytes, new DecompressionStream("deflate-raw")));
}
