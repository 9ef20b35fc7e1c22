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
