"""The wording Atrium ships for insights' notices, per language (the firm may edit it).

`feedback_request` carries the question and the scale as links ({scale}: one line per
score, each pre-selecting it on the landing page); the SMS has only the page's link.
`portal_nudge` asks a client who reached us outside the portal to use it next time, with
the firm's own communication promise ({channels}, {hours}).
"""

from __future__ import annotations

from notifications.registry import Text

FEEDBACK_REQUEST = "feedback_request"
PORTAL_NUDGE = "portal_nudge"

FEEDBACK_PLACEHOLDERS = ("firm", "name", "link", "question", "scale")
NUDGE_PLACEHOLDERS = ("firm", "name", "link", "channels", "hours")

EMAIL: dict[str, dict[str, Text]] = {
    FEEDBACK_REQUEST: {
        "en": Text(
            "A quick question from {firm}",
            "Hello {name},\n\n{question}\n\nChoose your answer (it opens a page where you "
            "confirm it and may add a comment):\n{scale}\n\nOr open {link}\n"
            "It takes a few seconds; the link works for 30 days.\n\nThank you,\n{firm}",
        ),
        "pl": Text(
            "Krótkie pytanie od {firm}",
            "Dzień dobry {name},\n\n{question}\n\nWybierz odpowiedź (otworzy się strona, "
            "na której ją potwierdzisz i możesz dodać komentarz):\n{scale}\n\n"
            "Albo otwórz {link}\nTo zajmie kilka sekund; link działa przez 30 dni.\n\n"
            "Dziękujemy,\n{firm}",
        ),
        "es": Text(
            "Una pregunta rápida de {firm}",
            "Hola, {name}:\n\n{question}\n\nElija su respuesta (se abre una página donde la "
            "confirma y puede añadir un comentario):\n{scale}\n\nO abra {link}\n"
            "Son unos segundos; el enlace vale 30 días.\n\nGracias,\n{firm}",
        ),
        "ru": Text(
            "Короткий вопрос от {firm}",
            "Здравствуйте, {name}!\n\n{question}\n\nВыберите ответ (откроется страница, где "
            "вы его подтвердите и сможете добавить комментарий):\n{scale}\n\n"
            "Или откройте {link}\nЭто займёт несколько секунд; ссылка действует 30 дней.\n\n"
            "Спасибо,\n{firm}",
        ),
    },
    PORTAL_NUDGE: {
        "en": Text(
            "Reaching {firm}",
            "Hello {name},\n\nthank you for getting in touch. So that nothing gets lost and "
            "everyone on your matter sees it, please write to us through your client portal "
            "next time: {link}\n\nHow we keep in touch: {channels}\n"
            "We answer within {hours} business hours.\n\n{firm}",
        ),
        "pl": Text(
            "Kontakt z {firm}",
            "Dzień dobry {name},\n\ndziękujemy za kontakt. Aby nic nie zginęło i aby "
            "wszyscy prowadzący Twoją sprawę to widzieli, następnym razem napisz do nas "
            "przez portal klienta: {link}\n\nJak się kontaktujemy: {channels}\n"
            "Odpowiadamy w ciągu {hours} godzin roboczych.\n\n{firm}",
        ),
        "es": Text(
            "Cómo contactar con {firm}",
            "Hola, {name}:\n\ngracias por escribirnos. Para que nada se pierda y todo el "
            "equipo de su asunto lo vea, la próxima vez escríbanos desde su portal de "
            "cliente: {link}\n\nCómo nos comunicamos: {channels}\n"
            "Respondemos en un plazo de {hours} horas hábiles.\n\n{firm}",
        ),
        "ru": Text(
            "Как связаться с {firm}",
            "Здравствуйте, {name}!\n\nспасибо, что связались с нами. Чтобы ничего не "
            "потерялось и всё видели все, кто ведёт ваше дело, в следующий раз напишите нам "
            "через личный кабинет клиента: {link}\n\nКак мы поддерживаем связь: {channels}\n"
            "Мы отвечаем в течение {hours} рабочих часов.\n\n{firm}",
        ),
    },
}

SMS: dict[str, dict[str, str]] = {
    FEEDBACK_REQUEST: {
        "en": "{firm}: {question} Answer here: {link}",
        "pl": "{firm}: {question} Odpowiedz tutaj: {link}",
        "es": "{firm}: {question} Su respuesta: {link}",
        "ru": "{firm}: {question} Ответить: {link}",
    },
    PORTAL_NUDGE: {
        "en": "{firm}: next time please write to us in your client portal: {link} "
        "We answer within {hours} business hours.",
        "pl": "{firm}: prosimy pisać do nas w portalu klienta: {link} "
        "Odpowiadamy w ciągu {hours} godz. roboczych.",
        "es": "{firm}: para escribirnos use su portal de cliente: {link} "
        "Respondemos en {hours} horas laborables.",
        "ru": "{firm}: пожалуйста, пишите нам в личном кабинете: {link} "
        "Отвечаем в течение {hours} рабочих часов.",
    },
}
