/**
 * The storage scenario's second set: realistic helpdesk tickets of about
 * 4.5 KB (bench/README.md, "Storage"), made by a seeded generator so every run
 * and every machine gets the same bytes: a SupportBee-shaped event whose
 * ticket holds a few paragraphs of ordinary prose, as text and as the HTML a
 * mail client sends, beside the usual requester, company and labels.
 */
import { seededRandom } from "./seededRandom.ts";

const WORDS = (
	"the a an and or but if then so because when while after before since until about above across against along among around " +
	"at by for from in into near of off on onto out over through to under up with without within order invoice payment card " +
	"refund charge account login password email address phone shipping delivery package tracking number item product size colour " +
	"return exchange warranty repair service subscription plan upgrade downgrade trial cancel renew billing receipt discount coupon " +
	"code price total tax store website app update version error message screen page button link form field report issue problem " +
	"question request help support team agent customer thanks thank please hello hi regards best sincerely today yesterday tomorrow " +
	"week month morning afternoon evening again still already just also only really quite very much many more most some any every " +
	"each other another same different new old first last next previous early late quick slow easy hard right wrong sure possible " +
	"I you we they he she it my your our their this that these those is are was were be been have has had do does did can could " +
	"would should will may might must need want like know think see look find get give take make send receive check try use work " +
	"open close start stop change keep let help tell ask say call reply write read wait arrive happen seem feel note mention attach"
).split(" ");

const NAMES = ["Dana Customer", "Sam Rivera", "Priya Natarajan", "Jonas Weber", "Aiko Tanaka", "Lucía Gómez", "Olu Adeyemi", "Mia Novak"];

function prose(random: () => number, sentences: number): string {
	const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
	return Array.from({ length: sentences }, () => {
		const words = Array.from({ length: 8 + Math.floor(random() * 14) }, () => pick(WORDS));
		if (random() < 0.3) words.splice(3, 0, String(1000 + Math.floor(random() * 9000)));
		const sentence = words.join(" ");
		return `${sentence[0].toUpperCase()}${sentence.slice(1)}${random() < 0.15 ? "?" : "."}`;
	}).join(" ");
}

/** Ticket `index` of the set, as the helpdesk would send it (pretty-printed JSON, about 4.5 KB). */
export function realisticTicket(index: number): string {
	const random = seededRandom(index + 1);
	const name = NAMES[index % NAMES.length];
	const email = `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@example.org`;
	const paragraphs = Array.from({ length: 3 + Math.floor(random() * 2) }, () => prose(random, 3 + Math.floor(random() * 4)));
	const text = [`Hi ${NAMES[(index + 3) % NAMES.length].split(" ")[0]},`, ...paragraphs, `Best regards,\n${name}`].join("\n\n");
	const html = `<div dir="ltr">${[`<p>Hi ${NAMES[(index + 3) % NAMES.length].split(" ")[0]},</p>`, ...paragraphs.map((p) => `<p>${p}</p>`), `<p>Best regards,<br>${name}</p>`].join("\n")}</div>`;
	const id = 100000 + index;
	const at = new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + index * 61_000).toISOString().replace(/\.\d+Z$/, "Z");
	const picture = Object.fromEntries(
		[20, 24, 32, 48, 64, 128].map((size) => [`thumb${size}`, `https://www.gravatar.com/avatar/${id.toString(16)}?s=${size}&d=mm`]),
	);
	const event = {
		payload: {
			action_type: "ticket.created",
			company: { subdomain: "acme", name: "Acme Widgets" },
			ticket: {
				id,
				subject: prose(random, 1).slice(0, 60),
				summary: `${paragraphs[0].slice(0, 100)}...`,
				replies_count: 0,
				agent_replies_count: 0,
				comments_count: 0,
				created_at: at,
				last_activity_at: at,
				unanswered: true,
				archived: false,
				spam: false,
				trash: false,
				private: false,
				draft: false,
				starred: false,
				url: `https://acme.supportbee.example/tickets/${id}`,
				source: { email },
				cc: [],
				labels: ["billing", "priority"].slice(0, index % 3),
				customer_rating: {},
				requester: { id: 5000 + (index % 97), email, name, agent: false, role: "customer", picture },
				content: { text, html, truncated: false, attachments: [] },
			},
		},
	};
	return `${JSON.stringify(event, null, "\t")}\n`;
}
