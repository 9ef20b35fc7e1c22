"""The wording Atrium ships for intake notices, per language (the firm may edit it)."""

from __future__ import annotations

from notifications.registry import Text

FORM_LINK = "intake_form_link"

EMAIL: dict[str, dict[str, Text]] = {
    FORM_LINK: {
        "en": Text(
            "A short form from {firm}",
            "Hello {name},\n\nplease answer a few questions for {firm}: {link}\n"
            "Your answers are saved as you type; the link works for 30 days.\n\n{firm}",
        ),
        "pl": Text(
            "Krótki formularz od {firm}",
            "Dzień dobry {name},\n\nprosimy o odpowiedź na kilka pytań dla {firm}: {link}\n"
            "Odpowiedzi zapisują się w trakcie pisania; link działa przez 30 dni.\n\n{firm}",
        ),
        "es": Text(
            "Un breve formulario de {firm}",
            "Hola, {name}:\n\nresponda a unas preguntas para {firm}: {link}\n"
            "Sus respuestas se guardan mientras escribe; el enlace vale 30 días.\n\n{firm}",
        ),
        "ru": Text(
            "Короткая анкета от {firm}",
            "Здравствуйте, {name}!\n\nпожалуйста, ответьте на несколько вопросов {firm}: {link}\n"
            "Ответы сохраняются по мере ввода; ссылка действует 30 дней.\n\n{firm}",
        ),
    },
}
SMS: dict[str, dict[str, str]] = {
    FORM_LINK: {
        "en": "{firm}: please fill in this short form: {link}",
        "pl": "{firm}: prosimy o wypełnienie krótkiego formularza: {link}",
        "es": "{firm}: rellene este breve formulario: {link}",
        "ru": "{firm}: пожалуйста, заполните короткую анкету: {link}",
    },
}

# Engagement letters: content-free (the letter itself is only in the portal).
ENGAGEMENT_SENT = "engagement_sent"
EMAIL[ENGAGEMENT_SENT] = {
    "en": Text(
        "A document from {firm} to review",
        "Hello {name},\n\n{firm} has sent you a document to review and sign in your "
        "client portal: {link}\n\n{firm}",
    ),
    "pl": Text(
        "Dokument od {firm} do przejrzenia",
        "Dzień dobry {name},\n\n{firm} przesyła dokument do przejrzenia i podpisania "
        "w portalu klienta: {link}\n\n{firm}",
    ),
    "es": Text(
        "Un documento de {firm} para revisar",
        "Hola, {name}:\n\n{firm} le ha enviado un documento para revisar y firmar en su "
        "portal de cliente: {link}\n\n{firm}",
    ),
    "ru": Text(
        "Документ от {firm} для ознакомления",
        "Здравствуйте, {name}!\n\n{firm} отправила вам документ для ознакомления и подписи "
        "в личном кабинете клиента: {link}\n\n{firm}",
    ),
}
SMS[ENGAGEMENT_SENT] = {
    "en": "{firm}: a document is waiting for you in your client portal: {link}",
    "pl": "{firm}: w portalu klienta czeka na Ciebie dokument: {link}",
    "es": "{firm}: tiene un documento esperando en su portal de cliente: {link}",
    "ru": "{firm}: в личном кабинете клиента вас ждёт документ: {link}",
}

# The reminder 24 h before an appointment whose after-booking form is still not sent.
FORM_REMINDER = "intake_form_reminder"
EMAIL[FORM_REMINDER] = {
    "en": Text(
        "A reminder from {firm}",
        "Hello {name},\n\nbefore your appointment, please answer a few questions for "
        "{firm}: {link}\nIt takes a few minutes; your answers are saved as you type.\n\n{firm}",
    ),
    "pl": Text(
        "Przypomnienie od {firm}",
        "Dzień dobry {name},\n\nprzed spotkaniem prosimy o odpowiedź na kilka pytań dla "
        "{firm}: {link}\nTo zajmie kilka minut; odpowiedzi zapisują się w trakcie "
        "pisania.\n\n{firm}",
    ),
    "es": Text(
        "Un recordatorio de {firm}",
        "Hola, {name}:\n\nantes de su cita, responda a unas preguntas para {firm}: {link}\n"
        "Son unos minutos; sus respuestas se guardan mientras escribe.\n\n{firm}",
    ),
    "ru": Text(
        "Напоминание от {firm}",
        "Здравствуйте, {name}!\n\nперед встречей, пожалуйста, ответьте на несколько "
        "вопросов {firm}: {link}\nЭто займёт несколько минут; ответы сохраняются по мере "
        "ввода.\n\n{firm}",
    ),
}
SMS[FORM_REMINDER] = {
    "en": "{firm}: before your appointment, please fill in this short form: {link}",
    "pl": "{firm}: przed spotkaniem prosimy o wypełnienie krótkiego formularza: {link}",
    "es": "{firm}: antes de su cita, rellene este breve formulario: {link}",
    "ru": "{firm}: перед встречей, пожалуйста, заполните короткую анкету: {link}",
}

# To the firm (the lead's responsible staff, or the firm admins): a client declined a
# letter. Content-free: no name, no reason; the lead page has both.
ENGAGEMENT_DECLINED_STAFF = "engagement_declined"
EMAIL[ENGAGEMENT_DECLINED_STAFF] = {
    "en": Text(
        "An engagement letter was declined",
        "Hello {name},\n\na client declined an engagement letter in the client portal. "
        "The lead, with the reason if they gave one: {link}\n\n{firm}",
    ),
    "pl": Text(
        "Klient odrzucił umowę o świadczenie usług prawnych",
        "Dzień dobry {name},\n\nklient odrzucił w portalu klienta przesłaną mu umowę o "
        "świadczenie usług prawnych. Zapytanie, z powodem, jeśli go podał: {link}\n\n{firm}",
    ),
    "es": Text(
        "Se ha rechazado una hoja de encargo",
        "Hola, {name}:\n\nun cliente ha rechazado una hoja de encargo en el portal de "
        "cliente. La consulta, con el motivo si lo indicó: {link}\n\n{firm}",
    ),
    "ru": Text(
        "Клиент отклонил договор об оказании услуг",
        "Здравствуйте, {name}!\n\nклиент отклонил договор об оказании услуг в личном "
        "кабинете. Обращение, с причиной, если она указана: {link}\n\n{firm}",
    ),
}
SMS[ENGAGEMENT_DECLINED_STAFF] = {
    "en": "{firm}: a client declined an engagement letter. {link}",
    "pl": "{firm}: klient odrzucił umowę o świadczenie usług prawnych. {link}",
    "es": "{firm}: un cliente ha rechazado una hoja de encargo. {link}",
    "ru": "{firm}: клиент отклонил договор об оказании услуг. {link}",
}
