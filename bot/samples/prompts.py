"""The pairwise sample's prompts, each answered at three levels of quality, and its models.

A model's response to a prompt is one of the three answers (how good it is depends on the
model's strength and the prompt: ``bot.samples.pairwise``) in the model's own manner, so
two models never give the same text. Every text fits on one line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prompt:
    """A prompt in one language and three answers to it, best first."""

    language: str
    text: str
    good: str  # right and complete
    fair: str  # vague or half right
    poor: str  # wrong or beside the point

    @property
    def answers(self) -> tuple[str, str, str]:
        """Return the three answers, best first."""
        return self.good, self.fair, self.poor


@dataclass(frozen=True, slots=True)
class Model:
    """A synthetic model: its name (the candidate id) and its latent strength."""

    name: str
    strength: float  # log-strength: P(this beats that) = sigmoid(difference)
    manner: int  # which manner of speaking (``MANNERS``) it answers in


MODELS = (
    Model("baobab-70b", 1.2, 0),
    Model("ravinala-13b", 0.6, 1),
    Model("lemur-7b", 0.0, 2),
    Model("fossa-3b", -0.5, 3),
    Model("tenrec-1b", -1.2, 4),
)

# One manner per model and language: how it wraps an answer.
MANNERS = {
    "en": ("{}", "Sure! {}", "{} Hope this helps.", "Answer: {}",
           "{} Let me know if you need more."),
    "fr": ("{}", "Bien sûr ! {}", "{} J'espère que cela aide.", "Réponse : {}",
           "{} N'hésitez pas si besoin."),
    "mg": ("{}", "Eny. {}", "{} Misaotra.", "Valiny: {}", "{} Manontania raha mila."),
}

PROMPTS = (
    Prompt("en", "How long should I boil an egg for a firm yolk?",
           "About 10 minutes in boiling water, then cool it in cold water so it peels easily.",
           "Several minutes, until it seems done.",
           "Two minutes is enough for a firm yolk."),
    Prompt("en", "What is the capital of Madagascar?",
           "Antananarivo, in the central highlands.",
           "A city in the highlands; I am not sure of its name.",
           "Toamasina."),
    Prompt("en", "How can I keep rice from sticking to the pot?",
           "Rinse the rice first, use the right amount of water and keep the heat low once "
           "it boils.",
           "Use a good pot.",
           "Stir it hard the whole time."),
    Prompt("en", "Why do we see lightning before we hear thunder?",
           "Light travels much faster than sound, so the flash reaches you first.",
           "Because lightning comes first.",
           "Thunder is quieter, so it arrives later."),
    Prompt("en", "Give one tip for saving phone battery.",
           "Lower the screen brightness and turn off mobile data when you do not need it.",
           "Use the phone less.",
           "Keep the phone in the fridge at night."),
    Prompt("en", "How many minutes are there in three hours?",
           "180 minutes: 3 times 60.",
           "A bit under 200 minutes.",
           "300 minutes."),
    Prompt("en", "What should I do if a small cut is bleeding?",
           "Press a clean cloth on it for a few minutes, then rinse it with clean water and "
           "cover it.",
           "Put something on it.",
           "Leave it open and keep shaking your hand."),
    Prompt("en", "Translate 'good evening' into French.",
           "Bonsoir.",
           "Something with 'soir' in it.",
           "Bonjour."),
    Prompt("en", "Which is bigger: 0.5 or 0.25?",
           "0.5 is bigger: it is a half, and 0.25 is a quarter.",
           "0.5, I think.",
           "0.25, because 25 is more than 5."),
    Prompt("en", "How do plants get their energy?",
           "From sunlight: leaves turn light, water and carbon dioxide into sugar.",
           "From the sun, somehow.",
           "They eat the soil."),
    Prompt("en", "Write a short greeting for a new colleague.",
           "Welcome to the team! We are glad you are here; ask us anything.",
           "Hello.",
           "Please do not bother me today."),
    Prompt("en", "What is 15% of 200?",
           "30, since 10% is 20 and 5% is 10.",
           "Around 30.",
           "15."),
    Prompt("en", "Why should drinking water be boiled?",
           "Boiling kills most of the germs that cause diarrhoea and other illnesses.",
           "It makes water cleaner.",
           "Boiling adds minerals to the water."),
    Prompt("en", "What is a good way to store ripe tomatoes?",
           "Keep them at room temperature out of the sun and eat them within a few days.",
           "Somewhere in the kitchen.",
           "Seal them in a plastic bag and leave it in the sun."),
    Prompt("en", "How do I write a polite reminder about an unpaid invoice?",
           "Name the invoice, its amount and due date, and kindly ask when payment can be "
           "expected.",
           "Just mention the money.",
           "Threaten to stop working with them."),
    Prompt("en", "What causes the seasons?",
           "The tilt of the Earth's axis: each half leans towards the sun for part of the "
           "year.",
           "The Earth moving around the sun.",
           "The Earth getting closer to the sun and then farther away."),
    Prompt("en", "Suggest a name for a small bakery.",
           "Mofo Mamy: 'sweet bread' in Malagasy, short and easy to remember.",
           "The Bakery.",
           "Fresh Fish Market."),
    Prompt("en", "How can I tell if an egg is fresh?",
           "Put it in water: a fresh egg sinks and lies flat, an old one floats.",
           "Smell it.",
           "Fresh eggs are always brown."),
    Prompt("fr", "Quelle est la capitale de la France ?",
           "Paris, sur la Seine.",
           "Une grande ville du nord, je crois.",
           "Lyon."),
    Prompt("fr", "Comment dit-on « merci » en malgache ?",
           "« Misaotra ».",
           "Un mot qui commence par « mi », je crois.",
           "« Veloma »."),
    Prompt("fr", "Pourquoi faut-il se laver les mains avant de manger ?",
           "Pour enlever les microbes qui peuvent rendre malade.",
           "C'est plus propre.",
           "Pour que la nourriture ait meilleur goût."),
    Prompt("mg", "Inona no renivohitr'i Madagasikara?",
           "Antananarivo no renivohitr'i Madagasikara.",
           "Tanàna any afovoany.",
           "Toliara."),
    Prompt("mg", "Firy ny andro ao anatin'ny herinandro iray?",
           "Fito: alatsinainy ka hatramin'ny alahady.",
           "Maromaro.",
           "Dimy."),
    Prompt("mg", "Ahoana no fiarahabana olona amin'ny maraina?",
           "« Manao ahoana tompoko », na « Salama ».",
           "Miteny zavatra.",
           "« Veloma »."),
)
